"""The demo storefront: a shop page, served by Bridge, that mounts every widget on a key's catalog.

It stands in for the merchant's own shop, so the widgets can be tried (and tested in a real
browser) before a line of the shop's theme is touched.
"""

from __future__ import annotations

from typing import Any

from bridge.catalog.service import CatalogService, product_view
from bridge.search.filters import SearchFilters
from bridge.search.service import SearchService
from bridge.storefront.service import PublicKeyService
from bridge.storefront.settings import SECTIONS

GRID_SIZE = 12


class DemoStorefront:
    def __init__(self, public_keys: PublicKeyService, catalog: CatalogService, search: SearchService):
        self._public_keys = public_keys
        self._catalog = catalog
        self._search = search

    def page(self, key: str, view: str, product_id: str | None, query: str | None) -> dict[str, Any]:
        """What one demo page shows: the home grid, a product, search results, the cart or the order."""
        account_id = self._public_keys.authenticate(key, None).account_id
        page: dict[str, Any] = {"key": key, "view": view if view in SECTIONS else "home", "query": query or ""}
        if product_id:
            page["view"], page["product"] = "product", product_view(self._catalog.get(account_id, product_id))
        elif query:
            options = {"limit": GRID_SIZE, "threshold": 0.0, "filters": SearchFilters(), "category_boost": True}
            found = self._search.by_text(account_id, query, options)
            page["view"], page["products"] = (
                "results",
                [{"product_id": r["product_id"], "metadata": r["metadata"]} for r in found["results"]],
            )
        else:
            listed = self._catalog.page(account_id, None, 1, GRID_SIZE)["products"]
            page["products"] = [product_view(product) for product in listed]
        return page
