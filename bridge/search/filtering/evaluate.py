"""Deciding whether a product document satisfies a filter tree, in Python.

Semantics, the same whatever language the filter was written in:

- strings compare ignoring case and surrounding whitespace; a string never equals a number or a boolean;
- gt/gte/lt/lte compare numbers only: a missing or non-numeric value never matches;
- a list-valued field (tags, colors, page_names, a custom "size": ["S", "M"]) matches eq, in, the
  comparisons and like when ANY element does;
- contains is a case-insensitive substring test on a string field and an element test on a list field;
- like "Nik%" is a case-insensitive prefix test;
- ne and nin are the negations of eq and in, so they hold when the field is missing;
- eq null holds when the field is missing or null.

Evaluation never raises on odd merchant data: values of unexpected types simply do not match.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bridge.search.filtering.conditions import is_number
from bridge.search.filtering.tree import AllOf, Condition

_NEGATIONS = {"ne": "eq", "nin": "in"}


def matches(tree: AllOf, document: dict[str, Any]) -> bool:
    """True when ``document`` (from ``product_document``) satisfies every condition of ``tree``."""
    return all(_holds(condition, document) for condition in tree.conditions)


def fold(text: str) -> str:
    """The form strings are compared in; it is also how the vector store keeps the category."""
    return text.strip().lower()


def _holds(condition: Condition, document: dict[str, Any]) -> bool:
    if condition.op in _NEGATIONS:
        return not _holds(replace(condition, op=_NEGATIONS[condition.op]), document)
    found, actual = _lookup(document, condition.path)
    if condition.value is None:  # only eq carries null
        return not found or actual is None
    if not found:
        return False
    if condition.op == "contains":
        return _contains(actual, condition.value)
    test = _TESTS[condition.op]
    items = actual if isinstance(actual, (list, tuple)) else (actual,)
    return any(test(item, condition.value) for item in items)


def _lookup(document: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    current = document
    for key in path:
        if not isinstance(current, dict) or key not in current:
            return False, None
        current = current[key]
    return True, current


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        return fold(actual) == fold(expected)
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    return is_number(actual) and is_number(expected) and actual == expected


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, (list, tuple)):
        return any(_equal(item, expected) for item in actual)
    return isinstance(actual, str) and isinstance(expected, str) and expected.lower() in actual.lower()


def _like(actual: Any, pattern: str) -> bool:
    return isinstance(actual, str) and fold(actual).startswith(pattern[:-1].lower())


_TESTS = {
    "eq": _equal,
    "in": lambda actual, values: any(_equal(actual, value) for value in values),
    "gt": lambda actual, value: is_number(actual) and actual > value,
    "gte": lambda actual, value: is_number(actual) and actual >= value,
    "lt": lambda actual, value: is_number(actual) and actual < value,
    "lte": lambda actual, value: is_number(actual) and actual <= value,
    "like": _like,
}
