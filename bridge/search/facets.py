"""Facets over a set of products, in seed 003's shape and Algolia's.

Seed 003's "semantic search filters" lists what a shopper could narrow the results by:
``brand_names``, ``brand_ids``, ``page_names``, ``page_ids``, ``tags`` and ``attributes
{key: [values]}``, plus the number of results. Algolia-shaped ``facets {attr: {value: count}}``
and ``facets_stats {attr: {min, max}}`` come with it for clients built that way.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from bridge.catalog.models import Product
from bridge.search.shapes import TYPED_FIELDS, seed003_product

MAX_VALUES = 100  # per facet, most frequent first


def facets(products: list[Product]) -> dict[str, Any]:
    shaped = [seed003_product(product) for product in products]
    counts: dict[str, Counter] = defaultdict(Counter)
    numbers: dict[str, list[float]] = defaultdict(list)
    for product, view in zip(products, shaped, strict=True):
        _count(counts, "brand", [view["brand_name"]])
        _count(counts, "category", [product.category])
        _count(counts, "page_names", view["page_names"])
        _count(counts, "tags", view["tags"])
        _count(counts, "color", sorted({c.get("name") for c in product.colors if c.get("share", 0) >= 0.15}))
        for key, value in product.attributes.items():
            if key in TYPED_FIELDS and key != "price":
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                numbers[key].append(float(value))
            elif key not in TYPED_FIELDS:
                _count(counts, key, value if isinstance(value, list) else [value])
    return {
        "results": len(products),
        "brand_names": _values(counts["brand"]),
        "brand_ids": _distinct(view["brand_id"] for view in shaped),
        "page_names": _values(counts["page_names"]),
        "page_ids": _distinct(page for view in shaped for page in view["page_ids"]),
        "tags": _values(counts["tags"]),
        "attributes": {key: _values(c) for key, c in counts.items() if key not in _BUILT_IN},
        "facets": {key: dict(c.most_common(MAX_VALUES)) for key, c in counts.items() if c},
        "facets_stats": {key: {"min": min(values), "max": max(values)} for key, values in numbers.items()},
    }


_BUILT_IN = {"brand", "category", "page_names", "tags", "color"}


def _count(counts: dict[str, Counter], key: str, values: list[Any]) -> None:
    for value in values:
        if value not in (None, "") and isinstance(value, (str, int, float, bool)):
            counts[key][str(value)] += 1


def _values(counter: Counter) -> list[str]:
    return [value for value, _ in counter.most_common(MAX_VALUES)]


def _distinct(values) -> list[Any]:
    return list(dict.fromkeys(value for value in values if value not in (None, "")))[:MAX_VALUES]
