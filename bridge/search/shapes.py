"""Seed 003's product shape, for the endpoints that follow that reference API."""

from __future__ import annotations

from typing import Any

from bridge.catalog.models import Product

TYPED_FIELDS = {
    "name",
    "brand",
    "brand_id",
    "category",
    "category_id",
    "page_ids",
    "page_names",
    "price",
    "market_price",
    "discount",
    "gender",
    "url",
    "tags",
    "description",
    "color_name",
}


def seed003_product(product: Product) -> dict[str, Any]:
    """``{id, item_id, name, brand_id, brand_name, page_ids, page_names, category_id, category_name,
    gender, price, market_price, discount, url, images, tags, attributes}``; custom metadata fields
    go to ``attributes``."""
    metadata = product.attributes
    category = metadata.get("category") or ""
    segments = [segment.strip() for segment in category.replace(">", "/").split("/") if segment.strip()]
    return {
        "id": product.id,
        "item_id": product.product_id,
        "name": metadata.get("name"),
        "brand_id": metadata.get("brand_id"),
        "brand_name": metadata.get("brand"),
        "page_ids": list(metadata.get("page_ids") or []),
        "page_names": list(metadata.get("page_names") or segments),
        "category_id": metadata.get("category_id"),
        "category_name": segments[-1] if segments else None,
        "gender": metadata.get("gender"),
        "price": metadata.get("price"),
        "market_price": metadata.get("market_price"),
        "discount": metadata.get("discount"),
        "url": metadata.get("url") or "",
        "images": [image["url"] for image in product.images],
        "tags": list(metadata.get("tags") or []),
        "attributes": {key: value for key, value in metadata.items() if key not in TYPED_FIELDS},
    }
