"""Benchmark the weight-free visual descriptor on the Luma catalogue photos.

Task "same product and colour, other view": the gallery is every distinct ``main`` photo, the
queries are the distinct ``alt1``/``back`` photos. A query is a hit at rank r when a gallery photo of
the same parent SKU *and* colour is among the r most similar. A second check asks each gallery photo
to find itself after a slight crop, a resize to 60% and JPEG recompression.

    .venv/bin/python bench/visual_descriptor.py [--data ../shared/data/luma]
"""

from __future__ import annotations

import argparse
import csv
import io
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from bridge.embedding.colors import foreground_mask, srgb_to_lab
from bridge.embedding.descriptor import VisualDescriptor

REPO_ROOT = Path(__file__).resolve().parent.parent
Embedder = Callable[[list[Image.Image]], np.ndarray]


def naive_lab_histogram(images: list[Image.Image]) -> np.ndarray:
    """Baseline: 8x8x8 hard Lab histogram of the foreground, L2-normalised."""
    rows = []
    for image in images:
        thumb = image.convert("RGB")
        thumb.thumbnail((160, 160))
        lab = srgb_to_lab(np.asarray(thumb))
        pixels = lab[foreground_mask(lab)]
        index = np.clip(((pixels - [0, -80, -80]) / [100, 160, 160] * 8).astype(int), 0, 7)
        counts = np.bincount(index[:, 0] * 64 + index[:, 1] * 8 + index[:, 2], minlength=512).astype(float)
        rows.append(counts / np.linalg.norm(counts))
    return np.array(rows, dtype=np.float32)


def load_index(data: Path) -> dict[str, dict]:
    """One entry per photo file: its view and the (parent_sku, color) pairs it shows."""
    photos: dict[str, dict] = {}
    with open(data / "images_index.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            photo = photos.setdefault(row["file"], {"view": row["view"], "parents": set(), "colors": set()})
            photo["parents"].add(row["parent_sku"])
            if row["color"]:
                photo["colors"].add(row["color"])
    for photo in photos.values():
        photo["labels"] = {(parent, color) for parent in photo["parents"] for color in photo["colors"] or {""}}
    return photos


def describe(
    embed: Embedder, data: Path, files: list[str], distort: Callable | None = None
) -> tuple[np.ndarray, float]:
    """Embed the photos one at a time; return the matrix and the mean describe time (decode excluded)."""
    rows, seconds = [], 0.0
    for file in files:
        with Image.open(data / file) as opened:
            image = opened.convert("RGB")
        if distort is not None:
            image = distort(image, file)
        start = time.perf_counter()
        rows.append(embed([image])[0])
        seconds += time.perf_counter() - start
    return np.array(rows), 1000.0 * seconds / len(files)


def recall(queries: np.ndarray, gallery: np.ndarray, relevant: np.ndarray, ranks: tuple[int, ...]) -> list[float]:
    order = np.argsort(-(queries @ gallery.T), axis=1, kind="stable")
    hits = np.take_along_axis(relevant, order, axis=1)
    return [float(hits[:, :rank].any(axis=1).mean()) for rank in ranks]


def recapture(image: Image.Image, file: str) -> Image.Image:
    """Crop 5-10% (split at random between the sides), resize to 60%, recompress as JPEG quality 70."""
    rng = np.random.default_rng(_seed(file))
    w, h = image.size
    cut_x, cut_y = rng.uniform(0.05, 0.10) * w, rng.uniform(0.05, 0.10) * h
    left, top = rng.uniform(0, cut_x), rng.uniform(0, cut_y)
    image = image.crop((round(left), round(top), round(w - (cut_x - left)), round(h - (cut_y - top))))
    image = image.resize((round(image.width * 0.6), round(image.height * 0.6)), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _seed(file: str) -> int:
    """A per-file seed that does not depend on Python's randomised string hashing."""
    return sum((i + 1) * ord(char) for i, char in enumerate(file))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO_ROOT / "../shared/data/luma")
    data = parser.parse_args().data
    photos = load_index(data)
    gallery = sorted(f for f, p in photos.items() if p["view"] == "main")
    queries = sorted(f for f, p in photos.items() if p["view"] in ("alt1", "back"))
    relevant = np.array([[bool(photos[q]["labels"] & photos[g]["labels"]) for g in gallery] for q in queries])
    answerable = relevant.any(axis=1)
    print(f"gallery {len(gallery)} main photos; queries {len(queries)} alt1/back photos, {answerable.sum()} answerable")
    embedders: dict[str, Embedder] = {
        "naive Lab histogram": naive_lab_histogram,
        VisualDescriptor.model_id: VisualDescriptor().embed_images,
    }
    print(f"\n{'method':<24} {'R@1':>6} {'R@10':>6} {'ms/img':>7} | {'recapture R@1':>13}")
    for name, embed in embedders.items():
        gallery_vectors, gallery_ms = describe(embed, data, gallery)
        query_vectors, query_ms = describe(embed, data, [q for q, ok in zip(queries, answerable, strict=True) if ok])
        at1, at10 = recall(query_vectors, gallery_vectors, relevant[answerable], (1, 10))
        recaptured, _ = describe(embed, data, gallery, distort=recapture)
        (self_at1,) = recall(recaptured, gallery_vectors, np.eye(len(gallery), dtype=bool), (1,))
        ms = (gallery_ms * len(gallery) + query_ms * answerable.sum()) / (len(gallery) + answerable.sum())
        print(f"{name:<24} {at1:6.3f} {at10:6.3f} {ms:7.1f} | {self_at1:13.3f}")


if __name__ == "__main__":
    main()
