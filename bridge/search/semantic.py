"""Seed 003's semantic search and semantic search filters, on Bridge's text engine.

Search returns seed 003's product objects, ranked by the text engine (BM25F + MiniLM, plus
CLIP text-to-image with real weights), ``offset``/``limit`` paginated, ``threshold`` being
the minimum fused score (0.1–0.5 works well; lower gives more).

Filters describe the *matching set* of a query: up to ``n_cand`` candidates (default 1000)
whose fused score is at least ``(1 − threshold) × the best score``, so that, as seed 003
says, a greater threshold (0.7–1) gives more results. Facets are counted over exactly
that set, after the request's filters.
"""

from __future__ import annotations

import time
from typing import Any

from bridge.catalog.service import CatalogService
from bridge.search.facets import facets
from bridge.search.service import SearchService, text_weights
from bridge.search.shapes import seed003_product


class SemanticSearch:
    def __init__(self, search: SearchService, catalog: CatalogService):
        self._search = search
        self._catalog = catalog

    def search(self, account_id: str, query: str, limit: int, offset: int, threshold: float, options: dict) -> list:
        started = time.perf_counter()
        ranked = self._ranked(account_id, query, {**options, "limit": offset + limit})
        page = [pk for (score, _), pk in ranked if score >= threshold][offset : offset + limit]
        products = self._catalog.by_pk(account_id, page)
        self._search.log(account_id, "semantic", query, len(page), started, options.get("shopper"))
        return [seed003_product(products[pk]) for pk in page if pk in products]

    def filters(self, account_id: str, query: str, threshold: float, n_cand: int, options: dict) -> dict[str, Any]:
        ranked = self._ranked(account_id, query, {**options, "limit": n_cand})[:n_cand]
        best = ranked[0][0][0] if ranked else 0.0
        matching = [pk for (score, _), pk in ranked if score > 0 and score >= (1 - threshold) * best]
        products = self._catalog.by_pk(account_id, matching)
        return facets([products[pk] for pk in matching if pk in products])

    def _ranked(self, account_id: str, query: str, options: dict):
        channel_query = self._search.text_query(query)
        fused, _ = self._search.rank(account_id, channel_query, text_weights(channel_query), options)
        return sorted(((score, pk) for pk, score in fused.items()), reverse=True)
