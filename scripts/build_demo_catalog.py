"""Build the demo catalog shipped in bridge/catalog/demo/ from the Luma sample data.

Run once by a developer (the output is committed): picks a few products per category,
one colour variant each, downscales the main photo, and writes catalog.json.
Usage: .venv/bin/python scripts/build_demo_catalog.py ../shared/data/luma
"""

from __future__ import annotations

import csv
import html
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from PIL import Image

OUT = Path(__file__).resolve().parent.parent / "bridge" / "catalog" / "demo"
PER_CATEGORY = 3
MAX_SIDE = 384
GENDERS = {"Men": "Men", "Women": "Women"}


def main(data_dir: Path) -> None:
    with open(data_dir / "products.csv", encoding="utf-8") as handle:
        products = {row["sku"]: row for row in csv.DictReader(handle)}
    with open(data_dir / "images_index.csv", encoding="utf-8") as handle:
        index_rows = list(csv.DictReader(handle))
    picked: dict[str, list[dict]] = defaultdict(list)
    seen_parents: set[str] = set()
    for row in index_rows:
        if row["view"] not in ("main", "") or row["exists"] != "True":
            continue
        parent = row["parent_sku"] or row["sku"]
        category = _category_path(row["categories"])
        if not category or category.startswith("Training"):
            continue
        if parent in seen_parents or len(picked[category]) >= PER_CATEGORY:
            continue
        seen_parents.add(parent)
        picked[category].append({"row": row, "product": products.get(row["sku"], {})})
    (OUT / "images").mkdir(parents=True, exist_ok=True)
    catalog = [_entry(data_dir, item["row"], item["product"]) for items in picked.values() for item in items]
    (OUT / "catalog.json").write_text(json.dumps(catalog, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(catalog)} demo products written to {OUT}")


def _entry(data_dir: Path, row: dict, product: dict) -> dict:
    parent = row["parent_sku"] or row["sku"]
    color = row["color"] or None
    product_id = f"{parent}-{color}".lower() if color else parent.lower()
    file_name = f"{product_id}.jpg"
    with Image.open(data_dir / row["file"]) as image:
        image = image.convert("RGB")
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        image.save(OUT / "images" / file_name, quality=82, optimize=True)
    path = _category_path(row["categories"]).split("/")
    name = html.unescape(re.sub(r"-(XS|S|M|L|XL|\d+)(-\w+)?$", "", row["name"]).strip())
    metadata = {
        "name": name,
        "category": path[-1],
        "brand": "Luma",
        "price": float(product["price"]) if product.get("price") else None,
        "color_name": color,
        "tags": [segment.lower() for segment in path[:-1]],
        "gender": GENDERS.get(path[0], "Unisex"),  # seed 003's field, for the lightbox's gender filter
        "description": html.unescape(product.get("description") or "")[:400],
    }
    return {"product_id": product_id, "image": file_name, "metadata": {k: v for k, v in metadata.items() if v}}


def _category_path(categories: str) -> str:
    """The first real category: Luma also files products under collections and promotions."""
    paths = [path for path in categories.split("|") if path and not path.startswith(("Collections", "Promotions"))]
    segments = paths[0].split("/") if paths else []
    for index, segment in enumerate(segments):  # some gear rows run a collection into the path
        if segment in ("Collections", "Promotions"):
            segments = segments[:index]
            break
    return "/".join(segments)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/luma"))
