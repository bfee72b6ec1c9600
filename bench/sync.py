"""Benchmark connector sync throughput against the embedding model's raw batched throughput.

A fake WooCommerce shop (the contract tests' fake, REST v3 pages of 100) lists N products on
a loopback server, each with one Luma photo served by a second loopback server. Bridge then:
(a) runs a full sync of the empty catalog: list, map, validate, fetch and decode photos, embed
(CLIP and MiniLM), colours, Chroma and SQL, sync state per page; (b) syncs again with nothing
changed (content hashes: no photo is downloaded); (c) runs an incremental sync after 1% of the
products changed. The raw model embeds the same decoded photos in batches of 32 before and
after (a), to expose drift. "Outside embedding" is the share of (a)'s wall time not spent inside
the CLIP and MiniLM calls.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/sync.py [--count 10000] [--model bridge-tiny]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from indexing import REPO_ROOT, Timers, image_server, load_photos, raw_throughput, settings
from PIL import Image
from pytest_httpserver import HTTPServer

sys.path.insert(0, str(REPO_ROOT))  # the fake shops live with the tests that define their contract
from bridge import create_app  # noqa: E402
from bridge.embedding.clip import ClipEmbedder  # noqa: E402
from bridge.embedding.text import TextEmbedder  # noqa: E402
from connectors.registry import REGISTRY  # noqa: E402
from tests.platform_catalogs import EPOCH, woo_products  # noqa: E402
from tests.platforms import WOO_KEYS, FakeWooCommerce  # noqa: E402


def install_timers() -> Timers:
    timers = Timers()
    timers.wrap(ClipEmbedder, "embed_images", "embed images (CLIP)")
    timers.wrap(TextEmbedder, "embed", "embed texts (MiniLM)")
    for platform in REGISTRY.values():
        timers.wrap(platform, "fetch_page", "platform pages (HTTP + mapping)")
    return timers


def timed_sync(services, connector_id: str, mode: str, timers: Timers) -> dict[str, Any]:
    timers.reset()
    start = time.perf_counter()
    run_id = services.syncs.run_now(connector_id, mode, trigger="bench")
    elapsed = time.perf_counter() - start
    row = services.connectors.find(connector_id)
    run = services.connectors.run(row.account_id, connector_id, run_id)
    return {"mode": mode, "elapsed": elapsed, "run": run, "breakdown": dict(timers.seconds)}


def bench(count: int, model: str, data: Path, timers: Timers) -> dict[str, Any]:
    photos = load_photos(data, count)
    images = []
    for photo in photos[:512]:
        with Image.open(data / photo["file"]) as opened:
            images.append(opened.convert("RGB"))
    platform = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    platform.start()
    with image_server(data) as base_url, tempfile.TemporaryDirectory(prefix="bridge-bench-") as tmp:
        shop = FakeWooCommerce(
            platform, woo_products(count, image=lambda i: f"{base_url}/{photos[i % len(photos)]['file']}")
        )
        app = create_app(settings(Path(tmp) / "var", model))
        services = app.extensions["bridge"]
        try:
            visual = services.embeddings.visual()
            services.embeddings.embed_texts(["warm up"])
            raw_before = raw_throughput(visual.embed_images, images)
            account_id = services.accounts.register(
                "Bench", "bench@example.com", "correct horse battery", verified=True
            ).account.id
            connector = services.connectors.create(
                account_id,
                {"platform": "woocommerce", "shop_url": platform.url_for("").rstrip("/"), "credentials": WOO_KEYS},
            )
            full = timed_sync(services, connector["id"], "full", timers)
            raw_after = raw_throughput(visual.embed_images, images)
            unchanged = timed_sync(services, connector["id"], "full", timers)
            for product in shop.products[::100]:
                product["name"] += " (new season)"
                product["date_modified_gmt"] = (EPOCH + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S")
            incremental = timed_sync(services, connector["id"], "incremental", timers)
        finally:
            services.close()
            platform.stop()
    return {
        "count": count,
        "model": model,
        "photos": len(photos),
        "raw": (raw_before + raw_after) / 2,
        "raw_spread": (raw_before, raw_after),
        "runs": [full, unchanged, incremental],
    }


def print_results(result: dict[str, Any]) -> None:
    full = result["runs"][0]
    rate = full["run"].created / full["elapsed"]
    embed = sum(seconds for label, seconds in full["breakdown"].items() if label.startswith("embed"))
    print(f"\n{result['model']}: {result['count']} products ({result['photos']} distinct photos)")
    print(
        f"raw model: {result['raw']:.1f} img/s (before/after {result['raw_spread'][0]:.1f}/"
        f"{result['raw_spread'][1]:.1f})"
    )
    header = (
        f"{'sync':<22} {'wall s':>8} {'products/s':>11} {'created':>8} {'updated':>8} {'unchanged':>10} {'failed':>7}"
    )
    print(header)
    print("-" * len(header))
    for timed, label in zip(
        result["runs"], ("full, empty catalog", "full, nothing changed", "incremental, 1% new"), strict=True
    ):
        run = timed["run"]
        print(
            f"{label:<22} {timed['elapsed']:>8.1f} {run.seen / timed['elapsed']:>11.1f} {run.created:>8} "
            f"{run.updated:>8} {run.unchanged:>10} {run.failed:>7}"
        )
    print(f"\nfull sync vs raw model: {rate:.1f} / {result['raw']:.1f} = {rate / result['raw']:.2f}")
    print(f"share of the full sync's wall time outside embedding: {100 * (1 - embed / full['elapsed']):.0f}%")
    for label, seconds in sorted(full["breakdown"].items(), key=lambda item: -item[1]):
        print(f"  {label:<34} {seconds:8.1f} s  {100 * seconds / full['elapsed']:5.1f}% of wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "luma")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--model", default="bridge-tiny")
    args = parser.parse_args()
    if not (args.data / "images_index.csv").is_file():
        sys.exit(f"Luma data not found at {args.data}; pass --data.")
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake shop logs every request
    timers = install_timers()
    started = time.perf_counter()
    result = bench(args.count, args.model, args.data, timers)
    print(f"done in {time.perf_counter() - started:.0f} s")
    print_results(result)


if __name__ == "__main__":
    main()
