"""Seed 003's recommendations for the storefront carousels.

- ``similarity``: products that look (and read) like ``item_id``, from the search engine.
- ``pop``: the most popular products of the last 30 days by weighted shopper events; products
  without events follow in catalog order, so a young shop's carousel is full from day one.
- ``history``: what this shopper (user id or session id) viewed last.
"""

from __future__ import annotations

from typing import Any

from bridge.catalog.service import CatalogService
from bridge.errors import InvalidInputError
from bridge.events.service import EventService
from bridge.search.filters import SearchFilters
from bridge.search.service import SearchService
from bridge.search.shapes import seed003_product

POPULARITY_DAYS = 30


class RecommendService:
    def __init__(self, search: SearchService, catalog: CatalogService, events: EventService):
        self._search = search
        self._catalog = catalog
        self._events = events

    def similar(self, account_id: str, product_id: str, limit: int, threshold: float) -> dict[str, Any]:
        """Similar products in the search response shape (query id, scores, metadata)."""
        options = {"limit": limit, "threshold": threshold, "filters": SearchFilters(), "category_boost": False}
        return self._search.similar(account_id, product_id, options)

    def recommend(self, account_id: str, request: dict[str, Any]) -> list[dict[str, Any]]:
        algo, n_rec = request["algo"], request["n_rec"]
        if algo == "similarity":
            if not request.get("item_id"):
                raise InvalidInputError("item_id: the similarity algorithm needs the product's id.", field="item_id")
            results = self.similar(account_id, request["item_id"], n_rec, 0.0)["results"]
            product_ids = [result["product_id"] for result in results]
        elif algo == "pop":
            popular = self._events.popular(account_id, POPULARITY_DAYS, n_rec)
            product_ids = list(dict.fromkeys(popular + self._catalog_order(account_id, n_rec)))[:n_rec]
        else:
            product_ids = self._events.recently_viewed(
                account_id, request.get("user_id"), request.get("session_id"), n_rec
            )
        products = self._catalog.by_product_id(account_id, product_ids)
        return [seed003_product(products[pid]) for pid in product_ids if pid in products]

    def _catalog_order(self, account_id: str, n_rec: int) -> list[str]:
        return [product.product_id for product in self._catalog.page(account_id, None, 1, n_rec)["products"]]
