"""One BM25 index per account, built from SQL and kept in step with the catalog.

The index lives in memory, per process. Before each use its fingerprint (product count and
last update) is compared with SQL's: products updated since the index last looked are
re-added (an update is a remove and an add inside the index); a count that no longer adds
up (deletions) rebuilds it from scratch. So every process serves a current index, and a
write in one process is seen by the others on their next query.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bridge.catalog.models import Product
from bridge.catalog.service import CatalogService
from bridge.db import Database
from bridge.search.lexical import LexicalIndex

log = logging.getLogger(__name__)
TYPED = {"name", "brand", "category", "tags", "description", "price", "url", "color_name"}


@dataclass
class _State:
    index: LexicalIndex
    updated: datetime | None


class LexicalIndexes:
    def __init__(self, db: Database, catalog: CatalogService):
        self._db = db
        self._catalog = catalog
        self._states: dict[str, _State] = {}
        self._lock = threading.Lock()

    def index_for(self, account_id: str) -> LexicalIndex:
        with self._lock:  # one sync at a time; searches then run on the index concurrently
            count, updated = self._catalog.fingerprint(account_id)
            state = self._states.get(account_id)
            if state is None or (updated is not None and state.updated is not None and updated < state.updated):
                state = self._rebuild(account_id)
            elif updated != state.updated:
                self._add_since(account_id, state, state.updated)
            if len(state.index) != count:
                state = self._rebuild(account_id)
            return state.index

    def _rebuild(self, account_id: str) -> _State:
        started = time.perf_counter()
        state = _State(LexicalIndex(), None)
        self._add_since(account_id, state, None)
        self._states[account_id] = state
        log.info(
            "lexical index built account=%s products=%s in %.0f ms",
            account_id,
            len(state.index),
            (time.perf_counter() - started) * 1000,
        )
        return state

    def _add_since(self, account_id: str, state: _State, since: datetime | None) -> None:
        query = select(Product.id, Product.attributes, Product.updated_at).where(Product.account_id == account_id)
        if since is not None:
            query = query.where(Product.updated_at >= since)
        with self._db.transaction() as session:
            rows = session.execute(query).all()
        for pk, metadata, updated in rows:
            state.index.remove(pk)
            state.index.add(pk, lexical_fields(metadata))
            state.updated = updated if state.updated is None or updated > state.updated else state.updated


def lexical_fields(metadata: dict[str, Any]) -> dict[str, Any]:
    """The fields BM25 reads: the typed ones, plus every custom attribute value as text."""
    attributes = []
    for key, value in metadata.items():
        if key not in TYPED and value is not None:
            attributes += [str(item) for item in value] if isinstance(value, list) else [str(value)]
    tags = metadata.get("tags")
    return {
        "name": metadata.get("name") or "",
        "brand": metadata.get("brand") or "",
        "category": metadata.get("category") or "",
        "tags": [str(tag) for tag in tags] if isinstance(tags, list) else [],
        "attributes": attributes + ([metadata["color_name"]] if metadata.get("color_name") else []),
        "description": metadata.get("description") or "",
    }
