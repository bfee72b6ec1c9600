"""Seed 003's MongoDB-like filter language, given as a JSON object or as the relaxed text the seed writes.

    {price: {gte: 50, lt: 100}, brand: ["Nike", "Adidas"], color: "red"}

A scalar means eq, a list means in, an object holds operators (``gt`` or ``$gt``); all keys are ANDed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from bridge.errors import InvalidInputError
from bridge.search.filtering.conditions import canonical_operator, condition, located, show
from bridge.search.filtering.fields import canonical_path
from bridge.search.filtering.syntax import parse_relaxed
from bridge.search.filtering.tree import AllOf, Condition

Locate = Callable[[tuple[str, ...]], str]


def parse_mongo(source: str | dict[str, Any], *, field: str = "filters") -> AllOf:
    """Read a filter; text errors give the character position, object errors name the key."""
    if isinstance(source, str):
        if not source.strip():
            return AllOf(())
        with located(field):
            document, positions = parse_relaxed(source)
        return AllOf(_conditions(document, field, lambda key: f" at position {positions[key]}"))
    if isinstance(source, dict):
        return AllOf(_conditions(source, field, lambda key: ""))
    raise InvalidInputError(f"{field}: expected an object or its text, got {type(source).__name__}", field=field)


def _conditions(document: dict[Any, Any], field: str, locate: Locate) -> tuple[Condition, ...]:
    conditions = []
    for key, spec in document.items():
        with located(field, f" for key {show(key)}{locate((key,))}"):
            path = _path(key)
            operations = list(_operations(key, spec, locate))
        for op, value, where in operations:
            with located(field, f" for {key}{where}"):
                conditions.append(condition(path, canonical_operator(op), value))
    return tuple(conditions)


def _path(key: Any) -> tuple[str, ...]:
    if not isinstance(key, str):
        raise InvalidInputError("field names are strings")
    if key.startswith("$"):
        # The seed language is AND-only; say so rather than filter on a field called "$or".
        raise InvalidInputError(f"{key} is not supported: all conditions are combined with AND")
    return canonical_path(key)


def _operations(key: str, spec: Any, locate: Locate) -> Iterator[tuple[Any, Any, str]]:
    """(operator, value, where) for one key: scalar is eq, list is in, object lists operators."""
    if not isinstance(spec, dict):
        yield ("in" if isinstance(spec, list) else "eq"), spec, locate((key,))
        return
    if not spec:
        raise InvalidInputError("an operator object needs at least one operator, as in {gte: 50}")
    for op, value in spec.items():
        yield op, value, locate((key, op))
