"""Splitting a filter tree into a Chroma ``where`` clause and the rest, which is checked in Python.

Chroma only sees what ``vectorviews.filter_metadata`` stores: the category stripped and lower-cased, the
price as a float, and the palette colour names. A condition moves to Chroma only when Chroma's answer is
exactly ``matches``'s answer on that metadata:

- category eq/in with string values, folded the way the category was stored;
- price eq/in/gt/gte/lt/lte with numeric values (a missing price matches neither);
- colours in names, as ``$contains`` per name (``$or`` when there are several).

Negations (ne, nin) stay in Python: whether Chroma lets a record without the key through has changed
between Chroma releases, while ``matches`` always lets it through. like, contains and every other field
stay in Python too.
"""

from __future__ import annotations

from typing import Any

from bridge.search.filtering.conditions import is_number
from bridge.search.filtering.evaluate import fold
from bridge.search.filtering.fields import CATEGORY, COLORS, PRICE
from bridge.search.filtering.tree import COMPARISONS, AllOf, Condition


def to_chroma_where(tree: AllOf) -> tuple[dict[str, Any] | None, AllOf]:
    """(Chroma ``where`` or None, conditions still to check with ``matches`` on the candidates)."""
    clauses: list[dict[str, Any]] = []
    remainder: list[Condition] = []
    for condition in tree.conditions:
        clause = _clause(condition)
        if clause is None:
            remainder.append(condition)
        else:
            clauses.append(clause)
    return _all_of(clauses), AllOf(tuple(remainder))


def _clause(condition: Condition) -> dict[str, Any] | None:
    values = condition.value if condition.op == "in" else (condition.value,)
    if condition.path == CATEGORY and condition.op in ("eq", "in") and all(isinstance(v, str) for v in values):
        return _scalar_clause("category", condition.op, [fold(value) for value in values])
    if condition.path == PRICE and condition.op in ("eq", "in", *COMPARISONS) and all(map(is_number, values)):
        return _scalar_clause("price", condition.op, [float(value) for value in values])
    if condition.path == COLORS and condition.op == "in" and all(isinstance(v, str) for v in values):
        return _any_of([{"colors": {"$contains": fold(value)}} for value in values])
    return None


def _scalar_clause(key: str, op: str, values: list[Any]) -> dict[str, Any]:
    return {key: {"$in": values} if op == "in" else {f"${op}": values[0]}}


def _all_of(clauses: list[dict[str, Any]]) -> dict[str, Any] | None:
    # Chroma refuses $and/$or with fewer than two members.
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _any_of(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}
