"""Catalog files for shops without an API: Shopify's product CSV, WooCommerce's product CSV,
and a generic CSV or JSON Lines file in Bridge's own product shape.

Each parser yields the same canonical records the API connectors yield, so a file import is a
sync like any other: unchanged rows are skipped by content hash, and failures keep their line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

import marshmallow as ma

from connectors.base import Check, Connector, FatalError, Page, ProductRecord, WebhookEvent, WebhookFormatError
from connectors.mapping import COLOR_OPTIONS, int_of, price_of, record, text_of, web_urls

Parsed = tuple[list[ProductRecord], list[tuple[str, str]]]  # records, (where, why) for skipped rows
GENERIC_FIELDS = ("name", "description", "category", "brand", "color_name", "url")


def parse(file_format: str, data: bytes) -> Parsed:
    """Dispatch on ``file_format`` (one of :data:`FORMATS`)."""
    return FORMATS[file_format](data)


def _rows(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    text = data.decode("utf-8-sig", errors="replace")
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        yield line, {(key or "").strip(): (value or "").strip() for key, value in row.items() if key}


def _split(value: str, separator: str = ",") -> list[str]:
    return [part.strip() for part in value.split(separator) if part.strip()]


def shopify_csv(data: bytes) -> Parsed:
    """Rows grouped by Handle: the first carries the product, later ones more variants/images."""
    products: dict[str, dict[str, Any]] = {}
    for _line, row in _rows(data):
        handle = row.get("Handle")
        if not handle:
            continue
        product = products.setdefault(handle, {"row": row, "images": [], "prices": [], "stock": 0})
        product["images"] += web_urls([row.get("Image Src"), row.get("Variant Image")])
        if row.get("Variant Price"):
            product["prices"].append(price_of(row["Variant Price"]))
        product["stock"] += int_of(row.get("Variant Inventory Qty")) or 0
    records, skipped = [], []
    for handle, product in products.items():
        first = product["row"]
        if (
            first.get("Status", "active").lower() not in ("", "active")
            or first.get("Published", "TRUE").upper() == "FALSE"
        ):
            skipped.append((handle, f"status {first.get('Status') or 'unpublished'}"))
            continue
        colors = [
            first.get(f"Option{i} Value")
            for i in (1, 2, 3)
            if first.get(f"Option{i} Name", "").lower() in COLOR_OPTIONS
        ]
        metadata = {
            "name": first.get("Title"),
            "description": text_of(first.get("Body (HTML)")),
            "brand": first.get("Vendor"),
            "category": first.get("Type") or (first.get("Product Category") or "").split(" > ")[-1],
            "tags": _split(first.get("Tags", "")),
            "price": min((p for p in product["prices"] if p is not None), default=None),
            "color_name": colors[0] if colors else None,
            "stock": product["stock"],
            "platform": "shopify",
        }
        records.append(record(handle, list(dict.fromkeys(product["images"]))[:10], metadata, None))
    return records, skipped


def woocommerce_csv(data: bytes) -> Parsed:
    """WooCommerce's product exporter format; variation rows are folded into their parents."""
    records, skipped = [], []
    for line, row in _rows(data):
        product_id = row.get("ID") or row.get("SKU")
        if row.get("Type", "").lower() == "variation":
            continue
        if not product_id:
            skipped.append((f"line {line}", "neither ID nor SKU"))
            continue
        if row.get("Published", "1") not in ("1", ""):
            skipped.append((f"line {line}", "not published"))
            continue
        categories = [path.split(">")[-1].strip() for path in _split(row.get("Categories", ""))]
        attributes = {row.get(f"Attribute {i} name"): _split(row.get(f"Attribute {i} value(s)", "")) for i in (1, 2, 3)}
        colors = next((values for name, values in attributes.items() if name and name.lower() in COLOR_OPTIONS), [])
        metadata = {
            "name": row.get("Name"),
            "description": text_of(row.get("Description") or row.get("Short description")),
            "price": price_of(row.get("Sale price"), row.get("Regular price")),
            "category": categories[0] if categories else None,
            "categories": categories,
            "brand": (_split(row.get("Brands", "")) or [None])[0],
            "tags": _split(row.get("Tags", "")),
            "sku": row.get("SKU"),
            "color_name": colors[0] if colors else None,
            "in_stock": row.get("In stock?", "1") == "1",
            "platform": "woocommerce",
        }
        records.append(record(product_id, web_urls(_split(row.get("Images", "")))[:10], metadata, None))
    return records, skipped


def generic_csv(data: bytes) -> Parsed:
    """``product_id`` plus any of name, description, category, brand, price, color_name, url,
    tags (``|``-separated), image_url / image_urls (``|``-separated); other columns are kept."""
    records, skipped = [], []
    for line, row in _rows(data):
        product_id = row.pop("product_id", "")
        if not product_id:
            skipped.append((f"line {line}", "product_id is missing"))
            continue
        images = web_urls([row.pop("image_url", "")] + _split(row.pop("image_urls", ""), "|"))
        metadata: dict[str, Any] = {key: value for key, value in row.items() if value}
        if "price" in metadata:
            metadata["price"] = _number(metadata["price"])
        if "tags" in metadata:
            metadata["tags"] = _split(metadata["tags"], "|")
        records.append(record(product_id, images, metadata, None))
    return records, skipped


def json_lines(data: bytes) -> Parsed:
    """One product per line, in the body shape of ``POST /v1/products``."""
    records, skipped = [], []
    for line, text in enumerate(data.decode("utf-8-sig", errors="replace").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            item = json.loads(text)
        except ValueError as exc:
            skipped.append((f"line {line}", f"not JSON ({exc.msg})"))
            continue
        if not isinstance(item, dict) or not str(item.get("product_id") or "").strip():
            skipped.append((f"line {line}", "product_id is missing"))
            continue
        images = web_urls([item.get("image_url")] + list(item.get("image_urls") or []))
        metadata = item.get("metadata") if isinstance(item.get("metadata"), dict) else {}
        records.append(record(str(item["product_id"]).strip(), images, metadata, None))
    return records, skipped


def _number(text: str) -> float | str:
    """A number when the text is one; otherwise the text, so the catalog's check names the field."""
    try:
        return float(text)
    except ValueError:
        return text


FORMATS: dict[str, Callable[[bytes], Parsed]] = {
    "shopify_csv": shopify_csv,
    "woocommerce_csv": woocommerce_csv,
    "csv": generic_csv,
    "jsonl": json_lines,
}


class FileCredentials(ma.Schema):
    """Nothing to sign in with: products arrive as uploaded files."""


class FileConnector(Connector):
    """A shop without an API: its catalog arrives only through ``POST /v1/connectors/{id}/files``."""

    name = "file"
    title = "Catalog file (CSV / JSON Lines)"
    primary_keys = ("product_id",)
    replication_key = "none"
    credentials_schema = FileCredentials

    def fetch_page(self, cursor: str | None, since: datetime | None) -> Page:
        raise FatalError("This connector has no API to read: upload a catalog file instead.", reason="file_only")

    def check(self) -> list[Check]:
        return [Check("files", True, "Upload catalog files to POST /v1/connectors/{id}/files.")]

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        raise WebhookFormatError("File connectors receive no webhooks.")
