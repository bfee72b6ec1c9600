"""Benchmark filtered vector search: Bridge's query planner against Chroma's own filtered query.

The catalog is synthetic but shaped like the real one: unit vectors (dim 512) drawn from a mixture of
Gaussians whose clusters lean towards a category (70% of a category's products sit in its own 25
clusters), so a category filter removes most of a query's unfiltered neighbours, as it does for real
products. Metadata is what ``vectorviews.filter_metadata`` writes: product_id, a lower-cased category
(``c0`` holds 10% of the rows, ``c1`` 0.5%, 18 others share the rest), a price and palette colours.
Rows go in through ``VectorStore.upsert`` (Chroma's max batch size); the 300k catalog is the 100k one
with 200k rows more, which also exercises a loaded mirror kept in step by the writes.

For each size and filter, 100 queries (drawn like the rows) are run, alternating which goes first, by
- the peer: Chroma's own ``collection.query(where=...)``, k=10, distances and metadata, as ``VectorStore.query``;
- Bridge: ``VectorStore.search`` through the planner (``plan`` is the same call, keeping the strategy);
- for reference, Chroma's unfiltered query.
Recall@10 is measured against exact numpy brute force over the generated vectors and metadata, not
against anything Bridge computed. The "broad" filter (60% of rows) is outside the DESIGN target; it shows the
post-filtered HNSW strategy, used beyond 50,000 passing rows. The crossover table times the planner's two
building blocks on the largest catalog, and the 10% filter forced through post-filtered HNSW. Times drift
with the machine's load: compare within one run.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/filtered_search.py [--sizes 100000,300000] [--queries 100]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bridge.vectors.mirror import CollectionMirror
from bridge.vectors.planner import QueryPlanner, hnsw_nearest
from bridge.vectors.store import VectorStore

DIM = 512
K = 10
CATEGORIES = 20
SHARES = {0: 0.10, 1: 0.005}  # c0: the 10% filter, c1: the 0.5% filter
CLUSTERS_PER_CATEGORY = 25
OWN_CLUSTER = 0.7
NOISE = 0.03
PALETTE = ["black", "white", "gray", "red", "navy", "blue", "green", "beige", "brown", "pink"]
WARM_UP = 5
INSERT_SLICE = 20_000


@dataclass
class Catalog:
    """Vectors and the metadata columns the truth is computed from (independent of Bridge's mirror)."""

    vectors: np.ndarray
    categories: np.ndarray
    prices: np.ndarray
    colors: list[list[str]]
    centers: np.ndarray

    def metadata(self, row: int) -> dict[str, Any]:
        return {
            "product_id": f"p{row}",
            "category": f"c{self.categories[row]}",
            "price": float(self.prices[row]),
            "colors": self.colors[row],
        }


def make_catalog(rows: int, seed: int = 0) -> Catalog:
    rng = np.random.default_rng(seed)
    rest = (1 - sum(SHARES.values())) / (CATEGORIES - len(SHARES))
    shares = [SHARES.get(c, rest) for c in range(CATEGORIES)]
    categories = rng.choice(CATEGORIES, size=rows, p=shares)
    centers = _unit(rng.normal(size=(CATEGORIES * CLUSTERS_PER_CATEGORY, DIM)))
    own = categories * CLUSTERS_PER_CATEGORY + rng.integers(0, CLUSTERS_PER_CATEGORY, rows)
    cluster = np.where(rng.random(rows) < OWN_CLUSTER, own, rng.integers(0, len(centers), rows))
    vectors = np.empty((rows, DIM), np.float32)
    for start in range(0, rows, 50_000):  # in slices: float64 noise for 300k rows would take 1.2 GB
        part = cluster[start : start + 50_000]
        vectors[start : start + len(part)] = _unit(centers[part] + rng.normal(scale=NOISE, size=(len(part), DIM)))
    prices = np.round(rng.lognormal(3.5, 0.8, rows), 2)
    colors = [sorted({str(c) for c in rng.choice(PALETTE, size=rng.integers(1, 4))}) for _ in range(rows)]
    return Catalog(vectors, categories, prices, colors, centers)


def _unit(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)


def queries(catalog: Catalog, count: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = catalog.centers[rng.integers(0, len(catalog.centers), count)]
    return _unit(centers + rng.normal(scale=NOISE, size=centers.shape))


def truth(catalog: Catalog, size: int, passing: np.ndarray, vector: np.ndarray) -> set[str]:
    rows = np.flatnonzero(passing[:size])
    scores = catalog.vectors[rows] @ vector
    return {f"{rows[i]}:sha" for i in np.argsort(-scores)[:K]}


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def summary(samples: list[float]) -> str:
    return f"{np.percentile(samples, 50):8.2f} {np.percentile(samples, 99):8.2f}"


def run_filter(
    store: VectorStore,
    collection: Any,
    catalog: Catalog,
    size: int,
    where: dict,
    passing: np.ndarray,
    vectors: np.ndarray,
) -> dict[str, Any]:
    """Peer and Bridge on the same query vectors, alternating which runs first."""

    def peer(vector: np.ndarray) -> list[str]:
        found = collection.query(
            query_embeddings=[vector], n_results=K, where=where, include=["distances", "metadatas"]
        )
        return found["ids"][0]

    def bridge(vector: np.ndarray) -> list[str]:
        planned = store.plan(collection, vector, K, where)
        chosen.append(planned.strategy)
        return [hit.id for hit in planned.hits]

    times: dict[str, list[float]] = {"peer": [], "bridge": []}
    recalls: dict[str, list[float]] = {"peer": [], "bridge": []}
    chosen: list[str] = []
    for i, vector in enumerate([*vectors[:WARM_UP], *vectors]):
        expected = truth(catalog, size, passing, vector)
        for name, call in sorted({"peer": peer, "bridge": bridge}.items(), reverse=bool(i % 2)):
            ms, ids = timed(lambda call=call, vector=vector: call(vector))
            if i >= WARM_UP:
                times[name].append(ms)
                recalls[name].append(len(expected & set(ids)) / max(1, min(K, len(expected))))
    strategies = Counter(chosen[WARM_UP:])
    return {"times": times, "recalls": recalls, "strategies": strategies, "matches": int(passing[:size].sum())}


def report(size: int, label: str, result: dict[str, Any]) -> None:
    times, recalls = result["times"], result["recalls"]
    speed_p50 = np.percentile(times["peer"], 50) / np.percentile(times["bridge"], 50)
    speed_p99 = np.percentile(times["peer"], 99) / np.percentile(times["bridge"], 99)
    strategies = ",".join(f"{name}:{count}" for name, count in result["strategies"].most_common())
    peer = f"{summary(times['peer'])} {np.mean(recalls['peer']):6.3f}"
    bridge = f"{summary(times['bridge'])} {np.mean(recalls['bridge']):6.3f}"
    ratios = f"{speed_p50:6.1f}x {speed_p99:6.1f}x"
    print(f"{size:>7} {label:<14} {result['matches']:>7} | {peer} | {bridge} | {ratios} | {strategies}")


def unfiltered(collection: Any, vectors: np.ndarray) -> list[float]:
    return [
        timed(lambda v=v: collection.query(query_embeddings=[v], n_results=K, include=["distances", "metadatas"]))[0]
        for v in vectors
    ]


def crossover(collection: Any, catalog: Catalog, size: int) -> None:
    """The planner's two building blocks on this catalog: exact scoring of m rows, HNSW for k' candidates."""
    mirror, rng = CollectionMirror(), np.random.default_rng(2)
    seconds, _ = timed(lambda: mirror.load(collection))
    print(f"\nmirror load from Chroma, {size} vectors: {seconds / 1000:.1f} s")
    vectors = queries(catalog, 30, seed=3)
    for rows in (5_000, 20_000, 50_000, 100_000):
        mask = np.zeros(len(mirror), bool)
        mask[rng.choice(len(mirror), size=min(rows, len(mirror)), replace=False)] = True
        samples = [timed(lambda v=v, mask=mask: mirror.top_k(v, K, mask))[0] for v in vectors]
        print(f"exact top-{K} over {rows:>7} passing rows: p50/p99 ms {summary(samples)}")
    for wanted in (100, 200, 400, 1000, 2000, 4000):
        samples = [timed(lambda v=v, wanted=wanted: hnsw_nearest(collection, v, wanted))[0] for v in vectors]
        print(f"HNSW, ids and distances, k'={wanted:>5}:       p50/p99 ms {summary(samples)}")
    forced, where, passing = QueryPlanner(exact_max_rows=0), {"category": "c0"}, catalog.categories == 0
    runs = [(timed(lambda v=v: forced.search(collection, mirror, v, K, where)), v) for v in vectors]
    recall = np.mean([len(truth(catalog, size, passing, v) & {h.id for h in run.hits}) / K for (_, run), v in runs])
    strategies = Counter(run.strategy for (_, run), _ in runs)
    print(f"10% category, post-filtered HNSW forced: p50/p99 ms {summary([ms for (ms, _), _ in runs])}", end=" ")
    print(f"recall {recall:.3f} {dict(strategies)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000", help="catalog sizes, ascending")
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    sizes = [int(size) for size in args.sizes.split(",")]
    catalog = make_catalog(sizes[-1])
    vectors = queries(catalog, args.queries)
    broad = float(np.percentile(catalog.prices, 40))
    filters = {
        "10% category": ({"category": "c0"}, catalog.categories == 0),
        "0.5% category": ({"category": "c1"}, catalog.categories == 1),
        "broad 60% price": ({"price": {"$gte": broad}}, catalog.prices >= broad),
    }
    with tempfile.TemporaryDirectory(prefix="bridge-bench-") as tmp:
        store = VectorStore(tmp, None)
        try:
            run(store, catalog, sizes, vectors, filters)
        finally:
            store.close()


def run(store: VectorStore, catalog: Catalog, sizes: list[int], vectors: np.ndarray, filters: dict) -> None:
    collection, inserted, rows = store.collection("bench", "clip", "synthetic", DIM), 0, []
    for size in sizes:
        start = time.perf_counter()
        for first in range(inserted, size, INSERT_SLICE):
            last = min(size, first + INSERT_SLICE)
            ids = [f"{row}:sha" for row in range(first, last)]
            store.upsert(
                collection, ids, catalog.vectors[first:last], [catalog.metadata(r) for r in range(first, last)]
            )
        print(f"inserted rows {inserted}..{size} in {time.perf_counter() - start:.0f} s", flush=True)
        inserted = size
        if not store.warm(collection):
            raise SystemExit("the mirror did not load: see the log")
        for label, (where, passing) in filters.items():
            rows.append((size, label, run_filter(store, collection, catalog, size, where, passing, vectors)))
            report(*rows[-1])
        rows.append((size, "unfiltered", unfiltered(collection, vectors)))
    print(f"\nk={K}, {len(vectors)} queries, dim {DIM}; times in ms; peer = Chroma collection.query(where=...)")
    print(
        f"{'size':>7} {'filter':<14} {'matches':>7} | {'peer p50':>8} {'p99':>8} {'recall':>6} | "
        f"{'bridge':>8} {'p99':>8} {'recall':>6} | {'p50 x':>7} {'p99 x':>7} | strategies"
    )
    for size, label, result in rows:
        if label == "unfiltered":
            print(f"{size:>7} {'unfiltered':<14} {size:>7} | {summary(result)} {'':>6} | (Chroma HNSW, no filter)")
        else:
            report(size, label, result)
    crossover(collection, catalog, sizes[-1])


if __name__ == "__main__":
    main()
