"""Chorus relevance through Bridge's own text engine, not a re-implementation of it.

Indexes the 19,406 chorus products through the catalog service (text only: the photos are
remote), then runs the 68 judged queries through the search service and reports nDCG@10
and judged@10 (definitions in bench/relevance.py) for the channels alone and as served.
Usage: HF_HUB_OFFLINE=1 .venv/bin/python bench/relevance_bridge.py [--data ../shared/data/chorus]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.relevance import REPO_ROOT, Judgments, evaluate, load  # noqa: E402
from bridge import create_app  # noqa: E402
from bridge.search.channels import LEXICAL, TEXT  # noqa: E402
from bridge.search.filters import SearchFilters  # noqa: E402
from bridge.search.service import text_weights  # noqa: E402

CHUNK = 256


def metadata(product: dict) -> dict:
    attributes = {k: v for k, v in product["attrs_text"].items() if k != "product_type"}
    return {
        "name": product["title"],
        "brand": product["brand"],
        "category": product["attrs_text"].get("product_type") or None,
        "color_name": product["color"] or None,
        "description": product["description"][:2000],
        **{key[:60]: str(value)[:200] for key, value in list(attributes.items())[:30]},
    }


def index(services, account_id: str, products: list[dict]) -> float:
    started = time.perf_counter()
    for start in range(0, len(products), CHUNK):
        payloads = [
            {"product_id": p["_id"], "image_urls": [], "metadata": {k: v for k, v in metadata(p).items() if v}}
            for p in products[start : start + CHUNK]
        ]
        failed = [o for o in services.catalog.upsert_many(account_id, payloads) if isinstance(o, Exception)]
        if failed:
            raise SystemExit(f"indexing failed: {failed[0]}")
    return time.perf_counter() - started


def rankings(services, account_id: str, judgments: Judgments, weights_for, category_boost: bool) -> dict:
    options = {"limit": 10, "threshold": 0.0, "filters": SearchFilters(), "category_boost": category_boost}
    ranked = {}
    for query_id, text in judgments.queries.items():
        if weights_for is None:
            response = services.search.by_text(account_id, text, options)
            ranked[query_id] = [result["product_id"] for result in response["results"]]
            continue
        query = services.search.text_query(text)
        fused, _ = services.search.rank(account_id, query, weights_for(query), options)
        pks = [pk for _, pk in sorted(((s, pk) for pk, s in fused.items()), reverse=True)[:10]]
        products = services.catalog.by_pk(account_id, pks)
        ranked[query_id] = [products[pk].product_id for pk in pks if pk in products]
    return ranked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "chorus")
    args = parser.parse_args()
    if not (args.data / "products.jsonl").is_file():
        raise SystemExit(f"no chorus data at {args.data}")
    products, judgments = load(args.data)
    app = create_app(
        {
            "DATA_DIR": tempfile.mkdtemp(),
            "RUN_MIGRATIONS": True,
            "CLIP_MODEL": "bridge-tiny",
            "PASSWORD_HASH_TIME_COST": 1,
            "PASSWORD_HASH_MEMORY_COST": 8192,
        }
    )
    services = app.extensions["bridge"]
    account_id = services.accounts.register(
        "Chorus", "chorus@example.com", "correct horse battery", verified=True
    ).account.id
    print(
        f"indexed {len(products)} products through the catalog service in {index(services, account_id, products):.0f} s"
    )
    query_ids = list(judgments.queries)
    print(f"{'ranker':48} {'nDCG@10':>8} {'judged@10':>10}")
    for label, weights_for, boost in (
        ("BM25F alone", lambda q: {LEXICAL: 1.0}, False),
        ("MiniLM alone", lambda q: {TEXT: 1.0}, False),
        ("Bridge text engine (BM25F + MiniLM)", text_weights, False),
        ("Bridge /v1/search/text as served (category boost)", None, True),
    ):
        score, judged = evaluate(rankings(services, account_id, judgments, weights_for, boost), judgments, query_ids)
        print(f"{label:48} {score:8.3f} {judged:10.3f}")
    services.close()


if __name__ == "__main__":
    main()
