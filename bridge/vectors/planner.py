"""Choosing, per query, how to answer a vector search, and keeping this process's collection mirrors.

Chroma's own filtered query scans metadata before it searches: 62 ms at 100k vectors and 242 ms at 300k with
a 10% filter, against 3 ms unfiltered. ``QueryPlanner.search`` therefore decides per query:

- no filter: Chroma's HNSW query (``hnsw``);
- a filter and a loaded mirror: the mirror's mask gives the passing rows m (selectivity s = m / n);
  - m == 0: nothing (``empty``), without asking Chroma;
  - m <= ``EXACT_MAX_ROWS`` (50,000): exact scoring of those rows in the mirror (``exact``, recall 1.0);
  - otherwise HNSW without the filter for k' = max(200, ceil(k / s * 2)) candidates, post-filtered by the
    mask (``ann``); fewer than k survivors: k' x 4 and again, up to 4,096, then exact (``ann-exact``);
- no mirror yet (cold start: it loads in the background), or a clause the mirror cannot evaluate exactly:
  Chroma's ``where`` (``chroma-where``).

Crossover, measured by bench/filtered_search.py on this 2-core machine (dim 512, 300k vectors): exact scoring
is memory-bound, 1.0 ms for 5k passing rows, 4.2 ms for 20k, 14 ms for 50k, 27 ms for 100k; Chroma's HNSW query
for ids and distances costs 1.7 ms for 100 candidates, 2.0 for 200, 2.9 for 400, 7.6 for 1,000, 16 for 2,000,
30 for 4,000. Its metadata would add ~10 ms per 200 hits (the mirror supplies it instead) and ``count()`` 18 ms
(never called). Post-filtering wins only while a few hundred candidates hold k survivors, and its recall is
HNSW's: where categories lean to clusters, the 10% filter at 300k forced through it cost as much as exact
scoring at the median (11.6 against 11.3 ms), 244 ms at p99 as k' grew, with recall 0.990; with 60% passing,
k' = 200 gave recall 0.997-1.0 (k' = 100: 0.98). So: exact up to 50,000 rows (at most ~14 ms, a tenth of
Chroma's 150 ms for a 10% filter at 300k), post-filtered HNSW beyond, i.e. for filters passing more than 1 row
in 6 at 300k, or 1 in 2 at 100k.

Mirrors are per process and created lazily: the first filtered search of a collection starts loading its
mirror in a background thread and is answered by Chroma's ``where`` meanwhile (``VectorStore.warm`` loads
one synchronously, for start-up, tests and benchmarks; a mirror holds the vectors a second time, 600 MB for
300k of dim 512, and loads 300k in about 30 s). The store's writes keep a mirror in step. With the
embedded store there is one process (file lock), so that is the whole story. With ``BRIDGE_CHROMA_URL``
several processes write the same collections, and a process cannot see the others' writes. Every write
through ``VectorStore`` therefore also stamps the collection's metadata with a fresh token (``bridge_written``),
after the data; each process compares the collection id and token with those its mirror was loaded at,
at most once per second, and drops the mirror on any change, its own writes included (without
compare-and-swap, a process cannot tell that its write was the only one). It reloads once the token has
held still for a check, so a long indexing run is searched through Chroma's ``where`` (correct, slower)
instead of reloading over and over. Staleness is thus bounded by one second, correctness over speed; the
price is one more round trip per write call, and a full reload after writes.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bridge.vectors.mirror import CollectionMirror, Selection, UnsupportedWhereError
from bridge.vectors.store import VectorHit

log = logging.getLogger(__name__)

EXACT_MAX_ROWS = 50_000
OVERSAMPLE = 2.0
MIN_CANDIDATES = 200  # HNSW searches with ef = max(ef_search=100, n_results): 200 lifts recall to 0.997
MAX_CANDIDATES = 4096
GROWTH = 4
WRITE_STAMP = "bridge_written"
CHECK_EVERY_S = 1.0
LOAD_ATTEMPTS = 3
RETRY_LOAD_S = 30.0


@dataclass(frozen=True)
class PlannedSearch:
    hits: list[VectorHit]
    strategy: str  # hnsw, exact, ann, ann-exact, chroma-where or empty


class QueryPlanner:
    """Exact scoring of few passing rows, post-filtered HNSW for many, Chroma's where when no mirror can answer."""

    def __init__(self, exact_max_rows: int = EXACT_MAX_ROWS, oversample: float = OVERSAMPLE) -> None:
        self.exact_max_rows = exact_max_rows
        self.oversample = oversample

    def search(
        self, collection: Any, mirror: CollectionMirror | None, vector: np.ndarray, k: int, where: dict | None
    ) -> PlannedSearch:
        if k <= 0:
            return PlannedSearch([], "empty")
        if not where:
            return PlannedSearch(_chroma(collection, vector, k, None), "hnsw")
        try:
            selection = mirror.select(where) if mirror is not None else None
        except UnsupportedWhereError as error:
            log.info("mirror of %s cannot evaluate %s (%s): asking Chroma", collection.name, where, error)
            selection = None
        if selection is None:
            return PlannedSearch(_chroma(collection, vector, k, where), "chroma-where")
        if (count := selection.count) == 0:
            return PlannedSearch([], "empty")
        if count <= self.exact_max_rows:
            return PlannedSearch(_exact(mirror, vector, k, selection), "exact")
        return self._post_filtered(collection, mirror, vector, k, selection, count / max(len(mirror), 1))

    def _post_filtered(
        self, collection: Any, mirror: CollectionMirror, vector: np.ndarray, k: int, selection: Selection, s: float
    ) -> PlannedSearch:
        """HNSW without the filter, over-fetched by 1/s, then the mask; grow the fetch until k survive."""
        wanted = max(MIN_CANDIDATES, math.ceil(k / s * self.oversample))
        while wanted <= MAX_CANDIDATES:
            ids, similarities = hnsw_nearest(collection, vector, wanted)
            kept = mirror.metadatas(ids, selection)
            found = [VectorHit(id_, sim, kept[id_]) for id_, sim in zip(ids, similarities, strict=True) if id_ in kept]
            if len(found) >= k:
                return PlannedSearch(found[:k], "ann")
            if len(ids) < wanted:  # Chroma has nothing more to give: exact scoring settles it
                break
            wanted *= GROWTH
        return PlannedSearch(_exact(mirror, vector, k, selection), "ann-exact")


def _exact(mirror: CollectionMirror, vector: np.ndarray, k: int, selection: Selection) -> list[VectorHit]:
    scored = mirror.top_k(vector, k, selection)
    metadatas = mirror.metadatas([id_ for id_, _ in scored])
    return [VectorHit(id_, similarity, metadatas[id_]) for id_, similarity in scored if id_ in metadatas]


def hnsw_nearest(collection: Any, vector: np.ndarray, wanted: int) -> tuple[list[str], list[float]]:
    """Ids and similarities only: Chroma's metadata for a few hundred hits costs more than the search.

    No ``count()`` first: it scans the collection (15 ms at 300k), and Chroma 1.x returns what it has.
    """
    result = collection.query(query_embeddings=[vector], n_results=wanted, include=["distances"])
    similarities = [1.0 - float(distance) for distance in result["distances"][0]]
    return result["ids"][0], similarities


def _chroma(collection: Any, vector: np.ndarray, k: int, where: dict | None) -> list[VectorHit]:
    """Chroma answers alone, as ``VectorStore.query`` does, less its ``count()`` (see ``hnsw_nearest``)."""
    result = collection.query(
        query_embeddings=[vector], n_results=k, where=where or None, include=["distances", "metadatas"]
    )
    rows = zip(result["ids"][0], result["distances"][0], result["metadatas"][0], strict=True)
    return [VectorHit(id_, 1.0 - float(distance), metadata or {}) for id_, distance, metadata in rows]


class Mirrors:
    """This process's mirrors, one per collection (name and id): loaded in the background, kept in step by writes."""

    def __init__(self, client: Callable[[], Any], shared: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self._client, self._shared, self._clock = client, shared, clock
        self._lock = threading.Lock()
        self._mirrors: dict[tuple[str, str], CollectionMirror] = {}
        self._loaded: dict[tuple[str, str], str] = {}  # key -> write stamp the mirror was loaded at
        self._seen: dict[str, tuple[float, str]] = {}  # name -> (when, stamp) of the last check, shared store
        self._loaders: dict[tuple[str, str], threading.Thread] = {}
        self._retry_at: dict[tuple[str, str], float] = {}
        self._closed = False

    def ready(self, collection: Any) -> CollectionMirror | None:
        """The collection's mirror if loaded and current; otherwise None, and a load starts when it is due."""
        key = _key(collection)
        quiet = self._check(key) if self._shared else True
        mirror = self._mirrors.get(key)
        if mirror is not None and key in self._loaded:
            return mirror
        if quiet:
            self._start(collection)
        return None

    def _check(self, key: tuple[str, str]) -> bool:
        """Shared store, at most once a second: drop the mirror if the collection was written since it was loaded.

        True when the write stamp held still since the previous check, so a (re)load is worth starting.
        """
        now, seen = self._clock(), self._seen.get(key[0])
        if seen is not None and now - seen[0] < CHECK_EVERY_S:
            return False
        stamp = self._stamp(key[0])
        self._seen[key[0]] = (now, stamp)
        if key in self._loaded and self._loaded[key] != stamp:
            log.info("mirror of %s is stale (written since it was loaded): dropping it", key[0])
            self.drop(key[0])
        return seen is not None and seen[1] == stamp

    def warm(self, collection: Any) -> bool:
        """Load the collection's mirror now, in the caller's time; True when it is ready."""
        self._start(collection)
        loader = self._loaders.get(_key(collection))
        if loader is not None:
            loader.join()
        return _key(collection) in self._loaded

    def _start(self, collection: Any) -> None:
        key = _key(collection)
        with self._lock:
            busy = self._closed or key in self._loaders or key in self._loaded
            if busy or self._clock() < self._retry_at.get(key, -math.inf):
                return
            mirror = self._mirrors.setdefault(key, CollectionMirror())
            loader = threading.Thread(
                target=self._load, args=(collection, mirror), name=f"mirror:{key[0]}", daemon=True
            )
            self._loaders[key] = loader
        loader.start()

    def _load(self, collection: Any, mirror: CollectionMirror) -> None:
        key, started = _key(collection), self._clock()
        try:
            stamp = self._loaded_at(collection, mirror)
        except Exception:
            log.warning("mirror of %s could not be loaded; filtered searches use Chroma's where", key[0], exc_info=True)
            stamp = None
        with self._lock:
            self._loaders.pop(key, None)
            if self._mirrors.get(key) is not mirror:
                return  # dropped or closed meanwhile
            if stamp is not None:
                self._loaded[key] = stamp
                log.info("mirror of %s loaded: %d vectors in %.1f s", key[0], len(mirror), self._clock() - started)
            elif not self._closed:
                self._retry_at[key] = self._clock() + RETRY_LOAD_S
                del self._mirrors[key]

    def _loaded_at(self, collection: Any, mirror: CollectionMirror) -> str | None:
        """Load until the mirror holds as many rows as Chroma (offset paging skips rows while others delete)."""
        key = _key(collection)
        for _ in range(LOAD_ATTEMPTS):
            stamp = self._stamp(key[0]) if self._shared else ""
            if not mirror.load(collection, lambda: self._closed or self._mirrors.get(key) is not mirror):
                return None
            if len(mirror) == collection.count():
                return stamp
        log.warning("mirror of %s kept missing rows after %d loads", key[0], LOAD_ATTEMPTS)
        return None

    def _stamp(self, name: str) -> str:
        try:
            collection = self._client().get_collection(name, embedding_function=None)
        except Exception:  # gone: never equal to the stamp of a loaded mirror
            return "gone"
        return f"{collection.id}:{(collection.metadata or {}).get(WRITE_STAMP)}"

    def upsert(self, collection: Any, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        if (mirror := self._mirrors.get(_key(collection))) is not None:
            mirror.upsert(ids, vectors, metadatas)
        self._written(collection)

    def update_metadata(self, collection: Any, ids: list[str], metadatas: list[dict[str, Any]]) -> None:
        if (mirror := self._mirrors.get(_key(collection))) is not None:
            mirror.update_metadata(ids, metadatas)
        self._written(collection)

    def delete(self, collection: Any, ids: list[str]) -> None:
        if (mirror := self._mirrors.get(_key(collection))) is not None:
            mirror.delete(ids)
        self._written(collection)

    def _written(self, collection: Any) -> None:
        """Shared store: a new token after the data, so every process's mirror learns of the write."""
        if self._shared:
            collection.modify(metadata={**(collection.metadata or {}), WRITE_STAMP: uuid.uuid4().hex})

    def drop(self, name: str) -> None:
        """Forget the mirrors of a collection name (dropped, recreated or stale); running loads stop."""
        with self._lock:
            for key in [key for key in self._mirrors if key[0] == name]:
                del self._mirrors[key]
                self._loaded.pop(key, None)

    def close(self) -> None:
        """Stop the loaders (each notices within one page) and forget every mirror."""
        with self._lock:
            self._closed = True
            loaders = list(self._loaders.values())
        for loader in loaders:
            loader.join()
        with self._lock:
            self._mirrors.clear()
            self._loaded.clear()
            self._seen.clear()
            self._closed = False


def _key(collection: Any) -> tuple[str, str]:
    """Name and id: a collection dropped and created again under its name must not inherit the old mirror."""
    return collection.name, str(collection.id)
