"""Vector writes of a chunk of products, grouped per collection and sent together.

One Chroma upsert of 32 vectors costs about as much as two of one vector, so the indexer
collects a chunk's upserts, metadata updates and deletions here and flushes each kind once
per collection.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from bridge.vectors.store import VectorStore


class VectorBatch:
    def __init__(self, store: VectorStore):
        self._store = store
        self._collections: dict[str, Any] = {}
        self._upserts: dict[str, tuple[list[str], list[np.ndarray], list[dict]]] = defaultdict(lambda: ([], [], []))
        self._updates: dict[str, tuple[list[str], list[dict]]] = defaultdict(lambda: ([], []))
        self._deletes: dict[tuple[str, str], list[str]] = defaultdict(list)

    def upsert(self, collection: Any, ids: list[str], vectors: list[np.ndarray], metadata: dict) -> None:
        ids_, vectors_, metadatas = self._upserts[self._key(collection)]
        ids_ += ids
        vectors_ += vectors
        metadatas += [metadata] * len(ids)

    def update(self, collection: Any, ids: list[str], metadata: dict) -> None:
        ids_, metadatas = self._updates[self._key(collection)]
        ids_ += ids
        metadatas += [metadata] * len(ids)

    def delete(self, account_id: str, space: str, ids: list[str]) -> None:
        self._deletes[(account_id, space)] += ids

    def flush(self) -> None:
        for name, (ids, vectors, metadatas) in self._upserts.items():
            if ids:
                self._store.upsert(self._collections[name], ids, np.stack(vectors).astype(np.float32), metadatas)
        for name, (ids, metadatas) in self._updates.items():
            if ids:
                self._store.update_metadata(self._collections[name], ids, metadatas)
        for (account_id, space), ids in self._deletes.items():
            self._store.delete(account_id, space, ids)

    def _key(self, collection: Any) -> str:
        self._collections[collection.name] = collection
        return collection.name
