"""Search-as-you-type: completions from the account's catalog and its shoppers' past queries.

One :class:`~bridge.search.suggest.Suggester` per account, built from SQL: product names,
brands and categories (weighted by how many products carry them) and the queries shoppers
ran that found something (weighted by how often). It is rebuilt when the catalog's
fingerprint (product count, last update) changes, or when it is older than
:data:`REFRESH_SECONDS` so new popular queries show up; a stale one keeps answering while
a background thread builds the next, so typing never waits for a rebuild.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html import escape
from typing import Any

from sqlalchemy import func, select

from bridge.catalog.models import Product
from bridge.catalog.service import CatalogService
from bridge.db import Database
from bridge.search.models import SearchLog
from bridge.search.suggest import SuggestEntry, Suggester

log = logging.getLogger(__name__)
REFRESH_SECONDS = 300
TOP_PRODUCTS = 4
MAX_QUERIES = 5000


@dataclass
class _Built:
    suggester: Suggester
    fingerprint: tuple
    built_at: float


class AutocompleteService:
    def __init__(self, db: Database, catalog: CatalogService):
        self._db = db
        self._catalog = catalog
        self._built: dict[str, _Built] = {}
        self._building: set[str] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="suggest-build")

    def suggest(self, account_id: str, prefix: str, limit: int) -> dict[str, Any]:
        started = time.perf_counter()
        suggester = self._suggester(account_id)
        suggestions = [_view(s, prefix) for s in suggester.suggest(prefix, limit)]
        products = self._top_products(account_id, suggester, prefix)
        took_ms = round((time.perf_counter() - started) * 1000, 2)
        return {"query": prefix, "query_time_ms": took_ms, "suggestions": suggestions, "products": products}

    def refresh(self, account_id: str) -> int:
        """Rebuild now (after a bulk import, or from the CLI); returns the number of entries."""
        return len(self._build(account_id, self._catalog.fingerprint(account_id)).suggester)

    def _suggester(self, account_id: str) -> Suggester:
        fingerprint = self._catalog.fingerprint(account_id)
        built = self._built.get(account_id)
        if built is None:
            return self._build(account_id, fingerprint).suggester
        stale = built.fingerprint != fingerprint or time.monotonic() - built.built_at > REFRESH_SECONDS
        with self._lock:
            if stale and account_id not in self._building:
                self._building.add(account_id)
                self._pool.submit(self._rebuild_in_background, account_id, fingerprint)
        return built.suggester

    def _rebuild_in_background(self, account_id: str, fingerprint: tuple) -> None:
        try:
            self._build(account_id, fingerprint)
        except Exception:  # the old suggester keeps serving; try again on the next request
            log.exception("autocomplete rebuild failed account=%s", account_id)
        finally:
            with self._lock:
                self._building.discard(account_id)

    def _build(self, account_id: str, fingerprint: tuple) -> _Built:
        started = time.perf_counter()
        built = _Built(Suggester(self._entries(account_id)), fingerprint, time.monotonic())
        self._built[account_id] = built
        log.info(
            "autocomplete built account=%s entries=%s in %.0f ms",
            account_id,
            len(built.suggester),
            (time.perf_counter() - started) * 1000,
        )
        return built

    def _entries(self, account_id: str) -> list[SuggestEntry]:
        with self._db.transaction() as session:
            rows = session.execute(
                select(Product.product_id, Product.name, Product.brand, Product.category).where(
                    Product.account_id == account_id
                )
            ).all()
            queries = session.execute(
                select(SearchLog.query_text, func.count())
                .where(
                    SearchLog.account_id == account_id, SearchLog.result_count > 0, SearchLog.query_text.is_not(None)
                )
                .group_by(SearchLog.query_text)
                .order_by(func.count().desc())
                .limit(MAX_QUERIES)
            ).all()
        entries = [SuggestEntry(name, "product", 1.0, (product_id,)) for product_id, name, _, _ in rows if name]
        for kind, column in (("brand", 2), ("category", 3)):
            counts = Counter(row[column] for row in rows if row[column])
            entries += [SuggestEntry(text, kind, float(count)) for text, count in counts.items()]
        entries += [SuggestEntry(text, "query", float(count)) for text, count in queries if text.strip()]
        return entries

    def _top_products(self, account_id: str, suggester: Suggester, prefix: str) -> list[dict[str, Any]]:
        ids = [s.product_ids[0] for s in suggester.suggest(prefix, TOP_PRODUCTS, kinds={"product"}) if s.product_ids]
        products = self._catalog.by_product_id(account_id, ids)
        return [_product(products[product_id]) for product_id in ids if product_id in products]

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _view(suggestion, prefix: str) -> dict[str, Any]:
    return {
        "text": suggestion.text,
        "kind": suggestion.kind,
        "score": round(suggestion.score, 4),
        "highlight": [list(span) for span in suggestion.highlight],
        "highlighted": highlighted(suggestion.text, suggestion.highlight),
        "corrected": suggestion.corrected,
    }


def highlighted(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with matched spans in <mark>, HTML-escaped, ready for a dropdown."""
    out, position = [], 0
    for start, end in sorted(spans):
        out += [escape(text[position:start]), "<mark>", escape(text[start:end]), "</mark>"]
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def _product(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.product_id,
        "name": product.name,
        "price": product.price,
        "image_url": product.images[0]["url"] if product.images else None,
        "url": product.attributes.get("url"),
    }
