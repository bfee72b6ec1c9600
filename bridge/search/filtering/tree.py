"""The filter tree every input language parses into: conditions on document paths, all of which must hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Operators a condition may carry; parsers accept these names with or without a leading "$".
OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "like")
COMPARISONS = ("gt", "gte", "lt", "lte")
LIST_OPERATORS = ("in", "nin")


@dataclass(frozen=True)
class Condition:
    """One test on the value at ``path`` of a product document (see ``fields.product_document``).

    ``value`` is a scalar, or a tuple of scalars for ``in``/``nin``; a ``like`` value is "prefix%" as written.
    Build conditions through the parsers, which validate and normalize them, rather than by hand.
    """

    path: tuple[str, ...]
    op: str
    value: Any


@dataclass(frozen=True)
class AllOf:
    """Conditions that must all hold. The seed language has no OR, so the tree is never deeper than this."""

    conditions: tuple[Condition, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.conditions)


def combine(*trees: AllOf) -> AllOf:
    """AND several filters (pre-filters, ``filters``, ``metadata_filters``), dropping repeated conditions."""
    seen: dict[Condition, None] = {}
    for tree in trees:
        for condition in tree.conditions:
            seen.setdefault(condition, None)
    return AllOf(tuple(seen))
