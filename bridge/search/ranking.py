"""Category-aware ranking: results in the query's inferred category move up.

The category is inferred from the search's own best candidates: when the top five
(weighted by score) mostly share one category, that is what the shopper is after
(a photo of a sneaker wants sneakers, not sneaker-coloured bags), and products of
that category get :data:`CATEGORY_BOOST` added to their score, capped at 1. A
request turns it off with ``category_boost: false``; ``explain`` shows the bonus.
"""

from __future__ import annotations

from collections import defaultdict

from bridge.catalog.models import Product

CATEGORY_BOOST = 0.05
SAMPLE = 5
MAJORITY = 0.6

Ranked = list[tuple[tuple[float, float], str]]


def infer_category(ranked: Ranked, products: dict[str, Product]) -> str | None:
    """The category holding at least 60% of the score mass of the top five candidates."""
    weights: dict[str, float] = defaultdict(float)
    total = 0.0
    for (score, _cosine), pk in ranked[:SAMPLE]:
        product = products.get(pk)
        total += score
        if product is not None and product.category:
            weights[product.category.strip().lower()] += score
    if not weights or total <= 0:
        return None
    category, weight = max(weights.items(), key=lambda item: item[1])
    return category if weight / total >= MAJORITY else None


def boost_category(ranked: Ranked, products: dict[str, Product], category: str) -> tuple[Ranked, set[str]]:
    """Re-rank with the bonus; returns the new order and the boosted product ids."""
    boosted: set[str] = set()
    rescored = []
    for (score, cosine), pk in ranked:
        product = products.get(pk)
        if product is not None and (product.category or "").strip().lower() == category:
            boosted.add(pk)
            score = min(1.0, score + CATEGORY_BOOST)
        rescored.append(((score, cosine), pk))
    return sorted(rescored, reverse=True), boosted
