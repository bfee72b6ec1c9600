"""The vector store: model checks, batching, the single-process lock, a real Chroma server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bridge.vectors.store import VectorModelMismatchError, VectorStore

ROOT = Path(__file__).resolve().parents[2]


def _unit(rows: int, dim: int, seed: int = 0) -> np.ndarray:
    matrix = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_collection_remembers_its_model_and_refuses_another(tmp_path):
    store = VectorStore(tmp_path, None)
    store.collection("acc", "clip", "model-a", 8)
    with pytest.raises(VectorModelMismatchError, match="flask bridge reindex"):
        store.collection("acc", "clip", "model-b", 8)
    store.close()
    reopened = VectorStore(tmp_path, None)
    with pytest.raises(VectorModelMismatchError):
        reopened.collection("acc", "clip", "model-a", 16)
    reopened.close()


def test_upserts_are_split_into_chromas_max_batch_size(tmp_path, monkeypatch):
    store = VectorStore(tmp_path, None)
    collection = store.collection("acc", "clip", "m", 8)
    calls = []
    original = collection.upsert
    monkeypatch.setattr(store.client(), "get_max_batch_size", lambda: 7)
    monkeypatch.setattr(collection, "upsert", lambda **kw: (calls.append(len(kw["ids"])), original(**kw)))
    store.upsert(collection, [f"id{i}" for i in range(20)], _unit(20, 8), [{"product_id": str(i)} for i in range(20)])
    assert calls == [7, 7, 6] and collection.count() == 20
    store.close()


def test_query_returns_cosine_similarity_and_honours_where(tmp_path):
    store = VectorStore(tmp_path, None)
    collection = store.collection("acc", "text", "m", 8)
    vectors = _unit(3, 8)
    store.upsert(collection, ["a", "b", "c"], vectors, [{"category": "x"}, {"category": "y"}, {"category": "x"}])
    hits = store.query(collection, vectors[1], 3)
    assert hits[0].id == "b" and hits[0].similarity == pytest.approx(1.0, abs=1e-4)
    assert {hit.id for hit in store.query(collection, vectors[1], 3, {"category": "x"})} == {"a", "c"}
    store.close()


def test_a_second_process_cannot_open_the_embedded_store(tmp_path):
    store = VectorStore(tmp_path, None)
    store.client()
    probe = (
        "import sys; from bridge.vectors.store import VectorStore, VectorStoreLockedError\n"
        "try:\n    VectorStore(sys.argv[1], None).client()\nexcept VectorStoreLockedError as e:\n"
        "    print(e.message); sys.exit(3)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 3, result.stderr
    assert "BRIDGE_CHROMA_URL" in result.stdout
    store.close()
    assert subprocess.run([sys.executable, "-c", probe, str(tmp_path)], cwd=ROOT).returncode == 0


def test_http_client_against_a_real_chroma_server(tmp_path, chroma_server):
    store = VectorStore(tmp_path / "unused", chroma_server)
    assert store.ping() == {"ok": True, "mode": "http"}
    collection = store.collection("acc", "clip", "m", 8)
    vectors = _unit(4, 8, seed=1)
    store.upsert(collection, ["a", "b", "c", "d"], vectors, [{"product_id": k} for k in "abcd"])
    assert store.query(collection, vectors[2], 1)[0].id == "c"
    store.delete("acc", "clip", ["c"])
    assert store.query(collection, vectors[2], 1)[0].id != "c"
    assert not (tmp_path / "unused" / "chroma").exists(), "HTTP mode keeps nothing on local disk"
    store.close()
