"""Validating and normalizing one condition, whichever language it was written in.

Every parser ends here, which is what makes equivalent filters produce equal trees. Refusals are
``InvalidInputError`` with a bare reason; the parser wraps them with ``located`` to say where.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bridge.embedding.colors import similar_palette_names
from bridge.errors import InvalidInputError
from bridge.search.filtering.fields import COLORS
from bridge.search.filtering.tree import COMPARISONS, LIST_OPERATORS, OPERATORS, Condition

# A colour asked for stands for the palette names perceptually close to it, so colour conditions become
# list conditions on those names: "navy" also finds products whose palette says "blue".
_COLOR_OPERATORS = {"eq": "in", "contains": "in", "in": "in", "ne": "nin", "nin": "nin"}


@contextmanager
def located(field: str, suffix: str = "") -> Iterator[None]:
    """Turn a bare refusal into one that names the request field and where in it the problem is."""
    try:
        yield
    except InvalidInputError as error:
        hint = f"; {error.details['hint']}" if "hint" in error.details else ""
        raise InvalidInputError(f"{field}: {error.message}{suffix}{hint}", field=field, details=error.details) from None


def show(value: Any) -> str:
    """A value as the client wrote it: strings in double quotes, like the filter languages."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def canonical_operator(name: Any) -> str:
    """``gt``, ``$gt`` and ``GT`` are the same operator; anything else is refused with the list of known ones."""
    op = name.lower().removeprefix("$") if isinstance(name, str) else None
    if op not in OPERATORS:
        raise InvalidInputError(f"unknown operator {show(name)}", details={"hint": f"use {', '.join(OPERATORS)}"})
    return op


def condition(path: tuple[str, ...], op: str, value: Any) -> Condition:
    """A validated condition for a canonical path and operator."""
    if path == COLORS:
        return _color_condition(op, value)
    if op in LIST_OPERATORS:
        return Condition(path, op, _scalars(value, op))
    _check_scalar(value, op)
    if op in COMPARISONS and not is_number(value):
        raise InvalidInputError(f"{op} compares numbers, got {show(value)}")
    if op == "contains" and (value is None or isinstance(value, bool)):
        raise InvalidInputError(f"contains takes a string or a number, got {show(value)}")
    if op == "like":
        _check_prefix(value)
    return Condition(path, op, value)


def is_number(value: Any) -> bool:
    """Numbers for comparisons: int or float, not bool (True is no price) and not NaN."""
    if isinstance(value, float):
        return not math.isnan(value)
    return isinstance(value, int) and not isinstance(value, bool)


def _check_scalar(value: Any, op: str) -> None:
    if isinstance(value, (list, tuple)):
        raise InvalidInputError(f"{op} takes one value, not a list (use in for a list)")
    if isinstance(value, dict):
        raise InvalidInputError("nested objects are not supported")
    if not (value is None or isinstance(value, (str, bool, int, float))):
        raise InvalidInputError(f"{show(value)} is not a string, number, boolean or null")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInputError(f"{value} is not a finite number")


def _scalars(value: Any, op: str) -> tuple[Any, ...]:
    if not isinstance(value, (list, tuple)) or not value:
        raise InvalidInputError(f"{op} takes a non-empty list of values, got {show(value)}")
    for item in value:
        if item is None or isinstance(item, (list, tuple, dict)):
            raise InvalidInputError(f"{op} takes a list of strings, numbers or booleans, got {show(item)} in it")
        _check_scalar(item, op)
    return tuple(value)


def _check_prefix(value: Any) -> None:
    """Seed 003 defines like as prefix matching only, so the one "%" must end the pattern."""
    if not isinstance(value, str) or not value.endswith("%"):
        raise InvalidInputError(f'like takes a string ending in "%", as in "Nik%", got {show(value)}')
    if "%" in value[:-1]:
        raise InvalidInputError(f'like supports prefix matching only: "%" may appear only at the end of {show(value)}')


def _color_condition(op: str, value: Any) -> Condition:
    if op not in _COLOR_OPERATORS:
        raise InvalidInputError(f"colours match by name: use eq, ne, in, nin or contains, not {op}")
    names: dict[str, None] = {}
    for colour in _scalars(value, op) if op in LIST_OPERATORS else (value,):
        if not isinstance(colour, str):
            raise InvalidInputError(f"a colour is a name or #rrggbb, got {show(colour)}")
        names.update(dict.fromkeys(similar_palette_names(colour)))
    return Condition(COLORS, _COLOR_OPERATORS[op], tuple(names))
