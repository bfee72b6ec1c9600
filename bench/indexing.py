"""Benchmark bulk indexing throughput against the embedding model's raw batched throughput.

For each model: (a) the raw model embeds N pre-decoded Luma photos in batches of 32; (b) Bridge
indexes the same N photos end to end as one bulk job (HTTP fetch from a loopback server, decode,
embed, colours, text embedding, Chroma and SQL writes). DESIGN target: Bridge >= 0.85 x raw.
The raw figure is the mean of a run before and one after Bridge's (both shown, to expose drift).
The "where time goes" table splits the worker's wall time with timers wrapped around the main
steps; ``prepare`` runs in the prefetch thread, overlapped with the rest.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/indexing.py [--models bridge-tiny,ViT-B-32] [--count N]
"""

from __future__ import annotations

import argparse
import csv
import functools
import logging
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from PIL import Image

import bridge.catalog.indexing as indexing
from bridge import create_app
from bridge.catalog.indexing import ProductIndexer
from bridge.embedding.clip import ClipEmbedder
from bridge.embedding.text import TextEmbedder
from bridge.vectors.store import VectorStore

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COUNTS = {"bridge-tiny": 420, "ViT-B-32": 200}
BATCH = 32


class Timers:
    """Seconds spent inside wrapped callables, summed per label (thread-safe)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._lock = threading.Lock()

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds[label] += time.perf_counter() - start

        setattr(owner, name, timed)

    def reset(self) -> None:
        self.seconds.clear()


def install_timers() -> Timers:
    """Wrap the indexing steps; done before any app exists, so every bound method sees the wrapper."""
    timers = Timers()
    timers.wrap(ClipEmbedder, "embed_images", "embed_images (CLIP)")
    timers.wrap(TextEmbedder, "embed", "embed_texts (MiniLM)")
    timers.wrap(indexing, "dominant_colors", "dominant_colors")
    timers.wrap(VectorStore, "upsert", "chroma upsert")
    timers.wrap(VectorStore, "update_metadata", "chroma update")
    timers.wrap(ProductIndexer, "commit", "commit (main thread)")
    timers.wrap(ProductIndexer, "prepare", "prepare (prefetch thread)")
    return timers


def load_photos(data: Path, count: int) -> list[dict[str, Any]]:
    """The first ``count`` distinct photos, each with its product's name, category and price."""
    with open(data / "products.csv", newline="") as handle:
        prices = {row["sku"]: row["price"] for row in csv.DictReader(handle)}
    photos: dict[str, dict[str, Any]] = {}
    with open(data / "images_index.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["exists"] != "True" or row["file"] in photos:
                continue
            metadata = {"name": row["name"], "category": row["categories"].split("|")[0].split("/")[-1]}
            if prices.get(row["sku"]):
                metadata["price"] = float(prices[row["sku"]])
            photos[row["file"]] = {"file": row["file"], "sku": row["sku"], "metadata": metadata}
    return list(photos.values())[:count]


@contextmanager
def image_server(directory: Path):
    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def raw_throughput(embed: Callable[[list[Image.Image]], Any], images: list[Image.Image]) -> float:
    """Images per second of the model alone, batches of 32, after one warm-up batch."""
    embed(images[:BATCH])
    start = time.perf_counter()
    for offset in range(0, len(images), BATCH):
        embed(images[offset : offset + BATCH])
    return len(images) / (time.perf_counter() - start)


def settings(data_dir: Path, model: str) -> dict[str, Any]:
    return {
        "DATA_DIR": str(data_dir),
        "RUN_MIGRATIONS": True,
        "SECRET_KEY": "bench-secret-key",
        "PUBLIC_URL": "http://bridge.bench",
        "CLIP_MODEL": model,
        "CLIP_PRETRAINED": "random",  # seeded random weights: the same cost as real ones
        "ALLOW_PRIVATE_URLS": True,
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_COST": 8192,
    }


def bench_model(model: str, count: int, data: Path, base_url: str, timers: Timers) -> dict[str, Any]:
    photos = load_photos(data, count)
    images = []
    for photo in photos:
        with Image.open(data / photo["file"]) as opened:
            images.append(opened.convert("RGB"))
    with tempfile.TemporaryDirectory(prefix="bridge-bench-") as tmp:
        app = create_app(settings(Path(tmp) / "var", model))
        services = app.extensions["bridge"]
        try:
            visual = services.embeddings.visual()  # loads the model, as a running server has
            services.embeddings.embed_texts(["warm up"])
            raw_before = raw_throughput(visual.embed_images, images)
            credentials = services.accounts.register(
                "Bench", "bench@example.com", "correct horse battery", verified=True
            )
            account_id = credentials.account.id
            products = [
                {
                    "product_id": f"p{i:05d}-{p['sku']}",
                    "image_url": f"{base_url}/{p['file']}",
                    "metadata": p["metadata"],
                }
                for i, p in enumerate(photos)
            ]
            job = services.jobs.create_bulk_index(account_id, products, None, None)
            timers.reset()
            start = time.perf_counter()
            services.job_worker.run_until_idle()
            elapsed = time.perf_counter() - start
            breakdown = dict(timers.seconds)
            view = services.jobs.get(account_id, job.id)
            raw_after = raw_throughput(visual.embed_images, images)  # again: shows drift during the run
        finally:
            services.close()
    if view["succeeded"] != len(photos):
        print(f"warning: {model}: {view['failed']} of {view['total']} products failed: {view['errors'][:3]}")
    return {
        "model": model,
        "n": len(photos),
        "raw": (raw_before + raw_after) / 2,
        "raw_spread": (raw_before, raw_after),
        "bridge": view["succeeded"] / elapsed,
        "job_pps": view["products_per_second"],
        "elapsed": elapsed,
        "breakdown": breakdown,
    }


def print_results(results: list[dict[str, Any]]) -> None:
    print()
    header = (
        f"{'model':<12} {'N':>5} {'raw img/s':>10} {'(before/after)':>15} {'Bridge prod/s':>14} {'job prod/s':>11} "
        f"{'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = r["bridge"] / r["raw"]
        flag = "" if ratio >= 0.85 else "  < 0.85 target"
        job_pps = f"{r['job_pps']:.1f}" if r["job_pps"] is not None else "-"
        spread = "{:.1f}/{:.1f}".format(*r["raw_spread"])
        print(
            f"{r['model']:<12} {r['n']:>5} {r['raw']:>10.1f} {spread:>15} {r['bridge']:>14.1f} {job_pps:>11} "
            f"{ratio:>6.2f}{flag}"
        )
    for r in results:
        print(f"\nwhere time goes, {r['model']} (run_until_idle wall time {r['elapsed']:.2f} s):")
        spent = dict(r["breakdown"])
        commit = spent.get("commit (main thread)", 0.0)
        inside = ("embed_images (CLIP)", "embed_texts (MiniLM)", "dominant_colors", "chroma upsert", "chroma update")
        spent["commit: rest (SQL saves)"] = commit - sum(spent.get(label, 0.0) for label in inside)
        spent["worker outside commit"] = r["elapsed"] - commit  # waiting for prefetch, job bookkeeping
        for label, seconds in sorted(spent.items(), key=lambda item: -item[1]):
            print(f"  {label:<28} {seconds:7.2f} s  {100 * seconds / r['elapsed']:5.1f}% of wall")
        print(f"  {'raw model for the same N':<28} {r['n'] / r['raw']:7.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "luma")
    parser.add_argument("--models", default="bridge-tiny,ViT-B-32")
    parser.add_argument("--count", type=int, default=None, help="photos per model (default: 420 tiny, 200 others)")
    args = parser.parse_args()
    if not (args.data / "images_index.csv").is_file():
        sys.exit(f"Luma data not found at {args.data} (expected images_index.csv and images/); pass --data.")
    logging.basicConfig(level=logging.WARNING)  # create_app keeps an existing root handler
    timers = install_timers()
    results = []
    with image_server(args.data) as base_url:
        for model in args.models.split(","):
            count = args.count or DEFAULT_COUNTS.get(model, 200)
            started = time.perf_counter()
            results.append(bench_model(model, count, args.data, base_url, timers))
            print(f"{model}: done in {time.perf_counter() - started:.1f} s", flush=True)
    print_results(results)


if __name__ == "__main__":
    main()
