"""The query planner and its mirrors: Chroma's own where semantics, exact answers, writes kept in step."""

from __future__ import annotations

import numpy as np
import pytest

import bridge.vectors.planner as planner
from bridge.vectors.mirror import CollectionMirror, UnsupportedWhereError
from bridge.vectors.planner import QueryPlanner
from bridge.vectors.store import VectorStore

DIM = 16
ROWS = 500
PALETTE = ["black", "navy", "red", "white", "green"]

WHERES = [
    {"category": "c1"},
    {"category": {"$eq": "c2"}},
    {"category": {"$ne": "c1"}},
    {"category": {"$in": ["c1", "c3", "nope"]}},
    {"category": {"$nin": ["c1", "c2"]}},
    {"price": {"$gt": 50.0}},
    {"price": {"$gte": 40.0}},
    {"price": {"$lt": 20.0}},
    {"price": {"$lte": 25.0}},
    {"price": {"$eq": 30.0}},
    {"price": {"$eq": 30}},
    {"price": {"$in": [30.0, 19.99]}},
    {"price": {"$ne": 30.0}},
    {"price": {"$nin": [30.0, 19.99]}},
    {"colors": {"$contains": "red"}},
    {"colors": {"$contains": "purple"}},
    {"$or": [{"colors": {"$contains": "red"}}, {"colors": {"$contains": "navy"}}]},
    {"$and": [{"category": {"$in": ["c1", "c2"]}}, {"price": {"$gte": 20.0}}, {"price": {"$lte": 60.0}}]},
    {"$and": [{"category": "c0"}, {"$or": [{"colors": {"$contains": "black"}}, {"price": {"$lt": 10.0}}]}]},
    {"category": "missing-category"},
]


def _unit(rows: int, seed: int) -> np.ndarray:
    matrix = np.random.default_rng(seed).normal(size=(rows, DIM)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def _metadata(i: int, rng: np.random.Generator) -> dict:
    """Shaped like vectorviews.filter_metadata, with some fields missing as they are for real products."""
    metadata: dict = {"product_id": f"p{i}"}
    if i % 7:
        metadata["category"] = "c0" if i % 5 == 0 else ("rare" if i % 97 == 0 else f"c{i % 4 + 1}")
    if i % 11:
        metadata["price"] = [30.0, 19.99, 30][i % 3] if i % 13 == 0 else float(round(rng.uniform(1, 100), 2))
    if i % 3:
        metadata["colors"] = sorted({str(c) for c in rng.choice(PALETTE, size=1 + i % 2)})
    return metadata


def _catalog(store: VectorStore, account: str, seed: int = 0):
    collection = store.collection(account, "clip", "m", DIM)
    rng = np.random.default_rng(seed)
    ids = [f"{i}:sha" for i in range(ROWS)]
    store.upsert(collection, ids, _unit(ROWS, seed), [_metadata(i, rng) for i in range(ROWS)])
    return collection


def _chroma_ids(collection, where: dict) -> set[str]:
    return set(collection.get(where=where, include=[])["ids"])


def _mirror_ids(mirror: CollectionMirror, where: dict) -> set[str]:
    return {id_ for id_, _ in mirror.top_k(np.ones(DIM), 10 * ROWS, mirror.select(where))}


def _exact(collection, vector: np.ndarray, k: int, where: dict | None) -> list[str]:
    """Brute force over what Chroma stores, filtered by Chroma itself."""
    found = collection.get(where=where, include=["embeddings"]) if where else collection.get(include=["embeddings"])
    scores = np.asarray(found["embeddings"]) @ vector
    return [found["ids"][i] for i in np.argsort(-scores, kind="stable")[:k]]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = VectorStore(tmp_path_factory.mktemp("planner"), None)
    yield store
    store.close()


@pytest.fixture
def open_store(tmp_path):
    """Stores that are closed after the test, whatever its outcome."""
    opened: list[VectorStore] = []

    def open_(folder: str, url: str | None = None) -> VectorStore:
        opened.append(VectorStore(tmp_path / folder, url))
        return opened[-1]

    yield open_
    for store in opened:
        store.close()


@pytest.fixture(scope="module")
def catalog(store):
    collection = _catalog(store, "shared")
    assert store.warm(collection)
    return collection


@pytest.mark.parametrize("where", WHERES, ids=[str(w) for w in WHERES])
def test_mirror_mask_equals_chromas_own_where(catalog, where):
    mirror = CollectionMirror()
    assert mirror.load(catalog)
    assert _mirror_ids(mirror, where) == _chroma_ids(catalog, where)
    assert int(mirror.mask(where).sum()) == len(_chroma_ids(catalog, where))


def test_mirror_refuses_clauses_outside_the_dialect_and_the_planner_asks_chroma(store, catalog):
    mirror = CollectionMirror()
    mirror.load(catalog)
    for where in ({"colors": {"$not_contains": "red"}}, {"$or": [{"category": "c1"}]}, {"price": {"$in": [1, 2.0]}}):
        with pytest.raises(UnsupportedWhereError):
            mirror.mask(where)
    planned = store.plan(catalog, _unit(1, 9)[0], 5, {"colors": {"$not_contains": "red"}})
    assert planned.strategy == "chroma-where"
    assert [hit.id for hit in planned.hits] == _exact(catalog, _unit(1, 9)[0], 5, {"colors": {"$not_contains": "red"}})


def test_selective_filters_are_answered_exactly_with_metadata(store, catalog):
    for seed, where in enumerate(WHERES[:10]):
        vector = _unit(1, 100 + seed)[0]
        planned = store.plan(catalog, vector, 10, where)
        assert planned.strategy in ("exact", "empty")
        assert [hit.id for hit in planned.hits] == _exact(catalog, vector, 10, where)
        stored = catalog.get(ids=[hit.id for hit in planned.hits], include=["embeddings", "metadatas"])
        rows = zip(stored["ids"], stored["embeddings"], stored["metadatas"], strict=True)
        truth = {id_: (float(np.asarray(embedding) @ vector), metadata) for id_, embedding, metadata in rows}
        for hit in planned.hits:
            assert hit.similarity == pytest.approx(truth[hit.id][0], abs=1e-5)
            assert hit.metadata == truth[hit.id][1]


def test_broad_filters_use_post_filtered_hnsw_with_recall_at_least_99_percent(catalog):
    mirror = CollectionMirror()
    mirror.load(catalog)
    where = {"price": {"$gte": 20.0}}
    found = 0
    for seed in range(20):
        vector = _unit(1, 200 + seed)[0]
        planned = QueryPlanner(exact_max_rows=10).search(catalog, mirror, vector, 10, where)
        assert planned.strategy == "ann"
        found += len({hit.id for hit in planned.hits} & set(_exact(catalog, vector, 10, where)))
    assert found / 200 >= 0.99


def test_post_filtering_grows_the_fetch_until_k_matches_survive(catalog, monkeypatch):
    monkeypatch.setattr(planner, "MIN_CANDIDATES", 5)
    mirror = CollectionMirror()
    mirror.load(catalog)
    vector = _unit(1, 7)[0]
    planned = QueryPlanner(exact_max_rows=1, oversample=0.01).search(catalog, mirror, vector, 10, {"category": "c0"})
    assert planned.strategy == "ann"
    assert [hit.id for hit in planned.hits] == _exact(catalog, vector, 10, {"category": "c0"})


def test_post_filtering_that_runs_out_of_candidates_finishes_with_exact_scoring(catalog):
    mirror = CollectionMirror()
    mirror.load(catalog)
    where = {"category": "rare"}
    planned = QueryPlanner(exact_max_rows=0).search(catalog, mirror, _unit(1, 11)[0], 50, where)
    assert planned.strategy == "ann-exact"
    assert {hit.id for hit in planned.hits} == _chroma_ids(catalog, where)


def test_a_filter_matching_nothing_returns_no_hits(store, catalog):
    planned = store.plan(catalog, _unit(1, 3)[0], 10, {"category": "missing-category"})
    assert planned.hits == [] and planned.strategy == "empty"


def test_k_larger_than_the_matches_returns_every_match(store, catalog):
    where = {"category": "rare"}
    hits = store.search(catalog, _unit(1, 4)[0], 50, where)
    assert 0 < len(hits) < 50
    assert {hit.id for hit in hits} == _chroma_ids(catalog, where)


def test_unfiltered_search_is_chromas_hnsw_query(store, catalog):
    vector = _unit(1, 5)[0]
    planned = store.plan(catalog, vector, 5)
    assert planned.strategy == "hnsw"
    assert planned.hits == store.query(catalog, vector, 5)


def test_first_filtered_search_asks_chroma_while_the_mirror_loads(open_store):
    store = open_store("cold")
    collection = _catalog(store, "cold")
    vector = _unit(1, 6)[0]
    cold = store.plan(collection, vector, 10, {"category": "c1"})
    assert cold.strategy == "chroma-where"
    assert store.warm(collection)
    warm = store.plan(collection, vector, 10, {"category": "c1"})
    assert warm.strategy == "exact" and [hit.id for hit in warm.hits] == [hit.id for hit in cold.hits]


def test_mirror_stays_in_step_after_upsert_update_delete_and_drop_account(open_store):
    store = open_store("steps")
    collection = _catalog(store, "acc")
    assert store.warm(collection)
    moved = _unit(3, 42)
    store.upsert(
        collection, ["1:sha", "new:a", "new:b"], moved, [{"category": "c1"}, {"category": "c1"}, {"product_id": "b"}]
    )
    store.update_metadata(
        collection, ["2:sha", "3:sha", "ghost"], [{"price": 99.5}, {"colors": ["red"]}, {"price": 1.0}]
    )
    store.delete("acc", "clip", ["5:sha", "6:sha", "new:b", "ghost"])
    for where in WHERES:
        planned = store.plan(collection, moved[0], 10 * ROWS, where)
        assert planned.strategy in ("exact", "empty")
        assert {hit.id for hit in planned.hits} == _chroma_ids(collection, where), where
    for vector in (moved[0], _unit(1, 8)[0]):
        planned = store.plan(collection, vector, 10, {"category": "c1"})
        assert planned.strategy == "exact"
        assert [hit.id for hit in planned.hits] == _exact(collection, vector, 10, {"category": "c1"})
    store.drop_account("acc", ("clip",))
    again = _catalog(store, "acc", seed=1)
    assert store.plan(again, moved[0], 10, {"category": "c1"}).strategy == "chroma-where"


def test_a_write_from_another_process_is_seen_after_the_next_check(open_store, chroma_server, monkeypatch):
    monkeypatch.setattr(planner, "CHECK_EVERY_S", 0.0)
    reader, writer = open_store("r", chroma_server), open_store("w", chroma_server)
    collection = _catalog(reader, "http")
    assert reader.warm(collection)
    assert reader.plan(collection, _unit(1, 1)[0], 3, {"category": "c1"}).strategy == "exact"
    vector = _unit(1, 2)[0]
    writer.upsert(writer.collection("http", "clip", "m", DIM), ["fresh"], vector[None, :], [{"category": "c1"}])
    stale = reader.plan(collection, vector, 3, {"category": "c1"})
    assert stale.strategy == "chroma-where" and stale.hits[0].id == "fresh"
    reader.plan(collection, vector, 3, {"category": "c1"})  # the stamp held still: reload starts
    assert reader.warm(collection)
    reloaded = reader.plan(collection, vector, 3, {"category": "c1"})
    assert reloaded.strategy == "exact" and reloaded.hits[0].id == "fresh"
