"""ChromaDB access: collections per account and space, model checks, batching, locking.

Chroma is a derived index; SQL is the truth and ``flask bridge reindex`` rebuilds
Chroma from it. Every collection records the model id and dimension of its vectors,
and opening it with another model is refused, because mixing vector spaces silently
returns garbage. The embedded store may be opened by one process only (two writers
were seen to lose 21% of vectors), so it is guarded by an exclusive file lock.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np

from bridge.errors import BridgeError, ServiceUnavailableError
from bridge.filelock import hold_exclusive

if TYPE_CHECKING:
    from bridge.vectors.planner import PlannedSearch

log = logging.getLogger(__name__)


class VectorStoreLockedError(ServiceUnavailableError):
    code = "vector_store_locked"


class VectorModelMismatchError(BridgeError):
    """Vectors on disk come from another model: they must be rebuilt, not mixed."""

    code = "vector_model_mismatch"


@dataclass(frozen=True)
class VectorHit:
    id: str
    similarity: float  # cosine similarity in [-1, 1]
    metadata: dict[str, Any]


class VectorStore:
    def __init__(self, data_dir: str | Path, chroma_url: str | None):
        self._path = Path(data_dir) / "chroma"
        self._url = chroma_url
        self._client = None
        self._lock_file = None
        self._collections: dict[str, Any] = {}
        self._open_lock = threading.Lock()
        # Filtered search: a query planner over per-process mirrors of the collections (planner.py).
        from bridge.vectors.planner import Mirrors, QueryPlanner  # here: planner imports VectorHit from this module

        self._mirrors = Mirrors(self.client, shared=chroma_url is not None)
        self._planner = QueryPlanner()

    @property
    def mode(self) -> str:
        return "http" if self._url else "embedded"

    def client(self):
        with self._open_lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def _connect(self):
        import chromadb
        from chromadb.config import Settings

        settings = Settings(anonymized_telemetry=False)
        if self._url:
            url = urlsplit(self._url)
            return chromadb.HttpClient(
                host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https", settings=settings
            )
        self._path.mkdir(parents=True, exist_ok=True)
        self._lock_file = hold_exclusive(self._path / "bridge.lock")
        if self._lock_file is None:
            raise VectorStoreLockedError(
                f"The embedded vector store at {self._path} is already open in another process. The embedded "
                "store is single-process: run one server process, or start `chroma run` and set BRIDGE_CHROMA_URL."
            )
        return chromadb.PersistentClient(path=str(self._path), settings=settings)

    def collection(self, account_id: str, space: str, model_id: str, dim: int):
        """The account's collection for ``space``, created on first use, model-checked."""
        name = collection_name(account_id, space)
        cached = self._collections.get(name)
        if cached is not None and cached.metadata.get("model_id") == model_id:
            return cached
        collection = self.client().get_or_create_collection(
            name,
            metadata={"model_id": model_id, "dim": dim, "space": space},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
        found = collection.metadata or {}
        if found.get("model_id") != model_id or int(found.get("dim", dim)) != dim:
            raise VectorModelMismatchError(
                f"The {space} vectors of this account were built with {found.get('model_id')} "
                f"(dim {found.get('dim')}), but the server now runs {model_id} (dim {dim}). "
                "Run `flask bridge reindex` to rebuild them from the database."
            )
        self._collections[name] = collection
        return collection

    def upsert(self, collection, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        """Write in slices no larger than Chroma's max batch size."""
        step = self.client().get_max_batch_size()
        for start in range(0, len(ids), step):
            collection.upsert(
                ids=ids[start : start + step],
                embeddings=vectors[start : start + step],
                metadatas=[_clean(m) for m in metadatas[start : start + step]],
            )
        self._mirrors.upsert(collection, ids, vectors, [_clean(m) for m in metadatas])

    def update_metadata(self, collection, ids: list[str], metadatas: list[dict[str, Any]]) -> None:
        """Refresh filter fields of vectors whose content did not change."""
        step = self.client().get_max_batch_size()
        for start in range(0, len(ids), step):
            collection.update(
                ids=ids[start : start + step], metadatas=[_clean(m) for m in metadatas[start : start + step]]
            )
        self._mirrors.update_metadata(collection, ids, [_clean(m) for m in metadatas])

    def delete(self, account_id: str, space: str, ids: list[str]) -> None:
        if not ids:
            return
        collection = self._existing(account_id, space)
        if collection is not None:
            collection.delete(ids=ids)
            self._mirrors.delete(collection, ids)

    def query(self, collection, vector: np.ndarray, k: int, where: dict | None = None) -> list[VectorHit]:
        # No count() first: it costs more than the query, and Chroma copes with k > count.
        result = collection.query(
            query_embeddings=[vector], n_results=k, where=where or None, include=["distances", "metadatas"]
        )
        return [
            VectorHit(id_, 1.0 - float(distance), metadata or {})
            for id_, distance, metadata in zip(
                result["ids"][0], result["distances"][0], result["metadatas"][0], strict=True
            )
        ]

    def search(self, collection, vector: np.ndarray, k: int, where: dict | None = None) -> list[VectorHit]:
        """Like ``query``, but a filtered search is planned over this process's mirror (see planner.py)."""
        return self.plan(collection, vector, k, where).hits

    def plan(self, collection, vector: np.ndarray, k: int, where: dict | None = None) -> PlannedSearch:
        """``search`` with the strategy the planner chose (``PlannedSearch``), for logs and benchmarks."""
        mirror = self._mirrors.ready(collection) if where else None
        planned = self._planner.search(collection, mirror, np.asarray(vector, dtype=np.float32), k, where)
        log.debug("search %s k=%d where=%s: %s", collection.name, k, where, planned.strategy)
        return planned

    def warm(self, collection) -> bool:
        """Load the collection's mirror now rather than on its first filtered search; True when ready."""
        return self._mirrors.warm(collection)

    def get_vectors(self, collection, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id (missing ids are left out), for exact scoring of candidates."""
        if not ids:
            return {}
        result = collection.get(ids=ids, include=["embeddings"])
        return {
            id_: np.asarray(vector, dtype=np.float32)
            for id_, vector in zip(result["ids"], result["embeddings"], strict=True)
        }

    def drop_account(self, account_id: str, spaces: tuple[str, ...]) -> None:
        """Remove an account's collections (for reindexing)."""
        for space in spaces:
            name = collection_name(account_id, space)
            self._collections.pop(name, None)
            if self._existing(account_id, space) is not None:
                self.client().delete_collection(name)
            self._mirrors.drop(name)

    def _existing(self, account_id: str, space: str):
        name = collection_name(account_id, space)
        if name in self._collections:
            return self._collections[name]
        try:
            return self.client().get_collection(name, embedding_function=None)
        except Exception:  # chroma raises NotFoundError/ValueError depending on client type
            return None

    def ping(self) -> dict[str, Any]:
        self.client().heartbeat()
        return {"ok": True, "mode": self.mode}

    def close(self) -> None:
        self._mirrors.close()
        self._collections.clear()
        if self._client is not None:
            # Chroma's close() releases the embedded system but leaves the HTTP client's
            # connection pool to the garbage collector; close that pool ourselves.
            for client in (self._client, getattr(self._client, "_admin_client", None)):
                session = getattr(getattr(client, "_server", None), "_session", None)
                if session is not None:
                    session.close()
            self._client.close()
        self._client = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


def collection_name(account_id: str, space: str) -> str:
    return f"b_{account_id}_{space}"


def _clean(metadata: dict[str, Any]) -> dict[str, Any]:
    """Chroma merges metadata on every write, so a field a product lost (its price, its colours)
    must be sent as None, which removes the key; Chroma refuses empty lists, which mean the same."""
    return {key: None if value == [] else value for key, value in metadata.items()}
