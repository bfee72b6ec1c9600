"""Relevance of lexical (BM25F), semantic (MiniLM) and hybrid product search on the Chorus judgments.

Every product of the Chorus catalogue (Icecat electronics) is indexed and each judged query is
run over the whole catalogue. nDCG@10 uses gain 2^grade - 1 and the ideal ranking of all judged
products of the query; unjudged products count 0, and queries without any positive judgment
are left out of the mean (their nDCG is undefined). judged@10 is the share of the top 10 that
was judged at all: the judgments were pooled from a keyword engine, so a low judged@10 means
"unknown", not "wrong", and semantic runs are handicapped by it.

Fusion parameters are searched on all queries and, to show they are not fitted to them, also
2-fold cross-validated: chosen on every other query (by id), scored on the rest, and back.
MiniLM product vectors are cached under the temp directory, keyed by a hash of model and texts.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/relevance.py [--data ../shared/data/chorus]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bridge.embedding.text import BUNDLED, TextEmbedder
from bridge.search.lexical import LexicalIndex, normalized, surface_words
from bridge.search.scoring import COSINE_RANGES

REPO_ROOT = Path(__file__).resolve().parent.parent
CUTOFF = 10
CACHE_DIR = Path(tempfile.gettempdir()) / "bridge-relevance"
RARE_SHARE = 0.005  # a word in fewer than 1 product in 200 is "rare": a model number, a niche brand
Product = dict


def _attrs(product: Product) -> str:
    return "; ".join(str(value) for value in product["attrs_text"].values())


RECIPES: dict[str, Callable[[Product], str]] = {
    "title. brand": lambda p: f"{p['title']}. {p['brand']}",
    "title. brand. description[:300]": lambda p: f"{p['title']}. {p['brand']}. {p['description'][:300]}",
    "title. brand. description[:600]. attrs": lambda p: (
        f"{p['title']}. {p['brand']}. {p['description'][:600]}. " + _attrs(p)
    ),
}


@dataclass
class Judgments:
    queries: dict[str, str]  # query id -> text
    grades: dict[str, dict[str, int]]  # query id -> product id -> grade


def load(data: Path) -> tuple[list[Product], Judgments]:
    with open(data / "products.jsonl", encoding="utf-8") as lines:
        products = [json.loads(line) for line in lines]
    with open(data / "queries.tsv", encoding="utf-8") as rows:
        queries = {row["query_id"]: row["query"] for row in csv.DictReader(rows, delimiter="\t")}
    grades: dict[str, dict[str, int]] = defaultdict(dict)
    with open(data / "qrels.tsv", encoding="utf-8") as rows:
        for row in csv.DictReader(rows, delimiter="\t"):
            grades[row["query_id"]][row["doc_id"]] = int(row["grade"])
    return products, Judgments(queries, dict(grades))


def product_fields(product: Product) -> dict[str, str | list[str]]:
    """Chorus has no category or tags; its product type attribute (8% of products) is the category."""
    attributes = dict(product["attrs_text"])
    category = attributes.pop("product_type", "")
    return {
        "name": product["title"],
        "brand": product["brand"],
        "category": category,
        "attributes": [str(value) for value in attributes.values()] + [product["color"]],
        "description": product["description"],
    }


def ndcg(ranking: list[str], grades: dict[str, int]) -> float | None:
    ideal = _dcg(sorted(grades.values(), reverse=True))
    return _dcg([grades.get(doc_id, 0) for doc_id in ranking]) / ideal if ideal > 0 else None


def _dcg(grades: list[int]) -> float:
    return sum((2**grade - 1) / np.log2(rank + 2) for rank, grade in enumerate(grades[:CUTOFF]))


def evaluate(rankings: dict[str, list[str]], judgments: Judgments, query_ids: list[str]) -> tuple[float, float]:
    """(mean nDCG@10 over queries with a positive judgment, mean judged@10 over all queries)."""
    scores = [ndcg(rankings[qid], judgments.grades[qid]) for qid in query_ids]
    judged = [sum(doc in judgments.grades[qid] for doc in rankings[qid][:CUTOFF]) / CUTOFF for qid in query_ids]
    return float(np.mean([s for s in scores if s is not None])), float(np.mean(judged))


def top(scores: np.ndarray, ids: list[str]) -> list[str]:
    """The best ``CUTOFF`` ids by score, ties broken by catalogue order; zero scores never rank."""
    threshold = np.partition(scores, len(scores) - CUTOFF)[len(scores) - CUTOFF]
    rows = np.flatnonzero(scores >= threshold)  # every product tied at the cut, then catalogue order
    rows = rows[np.lexsort((rows, -scores[rows]))][:CUTOFF]
    return [ids[row] for row in rows if scores[row] > 0]


def lexical_scores(products: list[Product], queries: dict[str, str]) -> tuple[dict[str, np.ndarray], LexicalIndex]:
    index = LexicalIndex()
    started = time.perf_counter()
    for product in products:
        index.add(product["_id"], product_fields(product))
    print(f"indexed {len(index)} products in {time.perf_counter() - started:.1f} s", flush=True)
    row_of = {product["_id"]: row for row, product in enumerate(products)}
    dense = {}
    for qid, query in queries.items():
        dense[qid] = np.zeros(len(products), np.float32)
        for doc_id, score in index.search(query, k=len(products)):
            dense[qid][row_of[doc_id]] = score
    return dense, index


def query_latency(index: LexicalIndex, queries: list[str], repeats: int = 20) -> tuple[float, float]:
    """(p50, p99) milliseconds of a top-10 search over the whole catalogue."""
    timings = []
    for _ in range(repeats):
        for query in queries:
            started = time.perf_counter()
            index.search(query, k=CUTOFF)
            timings.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(timings, 50)), float(np.percentile(timings, 99))


def embed_cached(embedder: TextEmbedder, texts: list[str]) -> np.ndarray:
    digest = hashlib.sha256("\x1e".join([embedder.model_name, *texts]).encode()).hexdigest()[:20]
    path = CACHE_DIR / f"{digest}.npy"
    if path.is_file():
        return np.load(path)
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    print(f"embedded {len(texts)} texts in {time.perf_counter() - started:.0f} s", flush=True)
    CACHE_DIR.mkdir(exist_ok=True)
    np.save(path, vectors)
    return vectors


def semantic_scores(products: list[Product], queries: dict[str, str], recipe: str) -> dict[str, np.ndarray]:
    embedder = TextEmbedder(BUNDLED)
    catalogue = embed_cached(embedder, [RECIPES[recipe](product) for product in products])
    asked = embedder.embed(list(queries.values()))
    return {qid: catalogue @ vector for qid, vector in zip(queries, asked, strict=True)}


@dataclass(frozen=True)
class Signals:
    """One query's evidence for every product, normalised once so that a grid search is cheap."""

    lexical: np.ndarray  # raw BM25F
    cosine: np.ndarray  # MiniLM query . product
    lexical_top: np.ndarray  # min-max over the best 100, the recommended map
    cosine_top: np.ndarray
    rare: bool  # a query word occurs in fewer than RARE_SHARE of the products


def has_rare_word(index: LexicalIndex, query: str) -> bool:
    return any(len(index.search(word, k=len(index))) < RARE_SHARE * len(index) for word in surface_words(query))


@dataclass(frozen=True)
class Method:
    name: str
    rank: Callable[[Signals, Any], np.ndarray]  # (signals, parameter) -> fused score per product
    grid: tuple = (None,)


def by_best(signals: Signals, weight: float) -> np.ndarray:
    """(a) BM25 divided by the query's best score, plus the raw cosine."""
    return weight * signals.lexical / max(float(signals.lexical.max()), 1e-9) + (1 - weight) * signals.cosine


def calibrated(signals: Signals, weight: float) -> np.ndarray:
    """(a) min-max BM25 plus the cosine mapped as the service's text channel maps it."""
    low, high = COSINE_RANGES["text"]
    return weight * signals.lexical_top + (1 - weight) * np.clip((signals.cosine - low) / (high - low), 0, 1)


def top_min_max(signals: Signals, weight: float) -> np.ndarray:
    """(a) min-max over each channel's best 100, then a weighted sum: the recommended rule."""
    return weight * signals.lexical_top + (1 - weight) * signals.cosine_top


def reciprocal_rank(signals: Signals, k: float) -> np.ndarray:
    """(b) Sum of 1 / (k + rank) over the channels; products BM25 did not match get no lexical term."""
    fused = 1.0 / (k + _ranks(signals.cosine))
    matched = signals.lexical > 0
    fused[matched] += 1.0 / (k + _ranks(signals.lexical)[matched])
    return fused


def by_rarity(signals: Signals, weights: tuple[float, float]) -> np.ndarray:
    """(c) Trust BM25 more (second weight) when the query has a rare word, such as a model number."""
    return top_min_max(signals, weights[signals.rare])


def _ranks(scores: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(scores), np.float32)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return ranks


def rankings(method: Method, parameter: Any, signals: dict[str, Signals], ids: list[str]) -> dict[str, list[str]]:
    return {qid: top(method.rank(query, parameter), ids) for qid, query in signals.items()}


def tuned(method: Method, signals: dict[str, Signals], judgments: Judgments, ids: list[str], query_ids: list[str]):
    """(best parameter on ``query_ids``, its nDCG@10, its judged@10): a grid search."""
    subset = {qid: signals[qid] for qid in query_ids}
    results = [(p, *evaluate(rankings(method, p, subset, ids), judgments, query_ids)) for p in method.grid]
    return max(results, key=lambda result: result[1])


def cross_validated(method: Method, signals: dict[str, Signals], judgments: Judgments, ids: list[str]) -> float:
    """nDCG@10 when each half of the queries is ranked with the parameter tuned on the other half."""
    query_ids = sorted(signals)
    folds = [query_ids[0::2], query_ids[1::2]]
    held_out: dict[str, list[str]] = {}
    for train, test in (folds, folds[::-1]):
        parameter = tuned(method, signals, judgments, ids, train)[0]
        held_out.update(rankings(method, parameter, {qid: signals[qid] for qid in test}, ids))
    return evaluate(held_out, judgments, query_ids)[0]


def methods() -> list[Method]:
    weights = tuple(round(0.1 * tenths, 1) for tenths in range(1, 10))
    return [
        Method("(a) w BM25/best + (1-w) cosine", by_best, weights),
        Method("(a) w minmax100(BM25) + (1-w) calibrated cosine", calibrated, weights),
        Method("(a) w minmax100(BM25) + (1-w) minmax100(cosine)", top_min_max, weights),
        Method("(b) reciprocal rank fusion, k", reciprocal_rank, (10, 30, 60, 100)),
        Method("(c) (a) with w by rare word (w common, w rare)", by_rarity, tuple(itertools.product(weights, weights))),
    ]


def print_row(method: Method, signals: dict[str, Signals], judgments: Judgments, ids: list[str]) -> float:
    """Print the method's tuned and cross-validated figures; return the tuned nDCG@10."""
    parameter, score, judged = tuned(method, signals, judgments, ids, sorted(signals))
    shown = "" if parameter is None else str(parameter)
    cv = cross_validated(method, signals, judgments, ids)
    print(f"{method.name:<50} {shown:>10} {score:>8.3f} {cv:>10.3f} {judged:>10.3f}", flush=True)
    return score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "chorus")
    parser.add_argument("--recipes", default=",".join(RECIPES), help="MiniLM product texts to compare")
    args = parser.parse_args()
    if not (args.data / "products.jsonl").is_file():
        sys.exit(f"Chorus data not found at {args.data} (products.jsonl, queries.tsv, qrels.tsv); pass --data.")
    products, judgments = load(args.data)
    ids = [product["_id"] for product in products]
    lexical, index = lexical_scores(products, judgments.queries)
    p50, p99 = query_latency(index, list(judgments.queries.values()))
    print(f"BM25F top-10 latency over {len(index)} products: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    rare = {qid: has_rare_word(index, query) for qid, query in judgments.queries.items()}
    positive = sum(any(grade > 0 for grade in grades.values()) for grades in judgments.grades.values())
    print(f"{len(judgments.queries)} queries, {sum(rare.values())} with a rare word; nDCG@10 is the mean over")
    print(f"the {positive} with a positive judgment. w is the BM25 weight.\n")
    print(f"{'method':<50} {'param':>10} {'nDCG@10':>8} {'2-fold CV':>10} {'judged@10':>10}")
    chosen: tuple[float, dict[str, Signals]] = (-1.0, {})
    for number, recipe in enumerate(args.recipes.split(",")):
        cosine = semantic_scores(products, judgments.queries, recipe)
        signals = {
            qid: Signals(lexical[qid], cosine[qid], normalized(lexical[qid]), normalized(cosine[qid]), rare[qid])
            for qid in sorted(judgments.queries)
        }
        if not number:
            print_row(Method("BM25F", lambda signals, _: signals.lexical), signals, judgments, ids)
        score = print_row(Method(f"MiniLM [{recipe}]", lambda signals, _: signals.cosine + 1), signals, judgments, ids)
        chosen = max(chosen, (score, signals), key=lambda pair: pair[0])
    for method in methods():
        print_row(method, chosen[1], judgments, ids)
    curve = methods()[2]
    scores = [evaluate(rankings(curve, w, chosen[1], ids), judgments, sorted(chosen[1]))[0] for w in curve.grid]
    print(f"\n{curve.name} by w: " + ", ".join(f"{w} {score:.3f}" for w, score in zip(curve.grid, scores, strict=True)))


if __name__ == "__main__":
    main()
