"""The two structured filter inputs: seed 000's ``metadata_filters`` list and the search pre-filters."""

from __future__ import annotations

from typing import Any

from bridge.errors import InvalidInputError
from bridge.search.filtering.conditions import canonical_operator, condition, located, show
from bridge.search.filtering.fields import CATEGORY, COLORS, PRICE, canonical_path
from bridge.search.filtering.tree import AllOf, Condition

_ITEM_KEYS = ("field", "operator", "value")


def parse_metadata_filters(items: list[dict[str, Any]], *, field: str = "metadata_filters") -> AllOf:
    """Read ``[{"field": "category", "operator": "eq", "value": "dresses"}, ...]``, all ANDed.

    Errors name the exact part that is wrong, such as ``metadata_filters[1].operator``.
    """
    if not isinstance(items, list):
        raise InvalidInputError(f"{field}: expected a list of {{field, operator, value}} objects", field=field)
    return AllOf(tuple(_item(item, f"{field}[{index}]") for index, item in enumerate(items)))


def _item(item: Any, where: str) -> Condition:
    with located(where):
        if not isinstance(item, dict):
            raise InvalidInputError("expected an object with field, operator and value")
        for key in item:
            if key not in _ITEM_KEYS:
                raise InvalidInputError(f"unexpected key {show(key)} (use field, operator and value)")
    with located(f"{where}.field"):
        if not isinstance(item.get("field"), str):
            raise InvalidInputError('a field name is required, such as "price" or \'attributes["material"]\'')
        path = canonical_path(item["field"])
    with located(f"{where}.operator"):
        op = canonical_operator(item.get("operator"))
    with located(f"{where}.value"):
        if "value" not in item:
            raise InvalidInputError("a value is required")
        return condition(path, op, item["value"])


def from_prefilters(
    category: str | None = None,
    price_min: float | None = None,
    price_max: float | None = None,
    color: str | None = None,
) -> AllOf:
    """The pre-filters every search endpoint takes, as a tree; each error names its own parameter.

    The category matches case-insensitively as a whole (not by segment); the colour widens to the palette
    names close to it, exactly as ``{color: ...}`` does.
    """
    conditions: list[Condition] = []
    for name, path, op, value in (
        ("category", CATEGORY, "eq", category or None),
        ("price_min", PRICE, "gte", price_min),
        ("price_max", PRICE, "lte", price_max),
        ("color", COLORS, "eq", color or None),
    ):
        if value is not None:
            with located(name):
                conditions.append(condition(path, op, value))
    if price_min is not None and price_max is not None and price_min > price_max:
        raise InvalidInputError("price_min: must not be greater than price_max", field="price_min")
    return AllOf(tuple(conditions))
