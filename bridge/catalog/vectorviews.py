"""What of a product goes beside its vectors: the text MiniLM embeds and the filter fields."""

from __future__ import annotations

from typing import Any

from bridge.embedding.colors import color_name
from bridge.errors import InvalidInputError

TEXT_FIELDS = ("name", "brand", "category", "color_name")
MIN_COLOR_SHARE = 0.15  # a colour covering less of the product does not describe it


def product_text(metadata: dict[str, Any]) -> str:
    """Name first (MiniLM truncates long inputs), then the other describing fields."""
    parts = [str(metadata[name]) for name in TEXT_FIELDS if metadata.get(name)]
    tags = metadata.get("tags") or []
    if isinstance(tags, list) and tags:
        parts.append(", ".join(str(tag) for tag in tags))
    if metadata.get("description"):
        parts.append(str(metadata["description"])[:600])
    return ". ".join(parts)


def filter_metadata(product_id: str, metadata: dict[str, Any], colors: list[dict[str, Any]]) -> dict[str, Any]:
    """Fields Chroma can pre-filter on: exact category, numeric price, palette colour names."""
    category = metadata.get("category")
    price = metadata.get("price")
    return {
        "product_id": product_id,
        "category": category.strip().lower() if isinstance(category, str) else None,
        "price": float(price) if isinstance(price, (int, float)) else None,
        "colors": palette_names(metadata, colors),
    }


def palette_names(metadata: dict[str, Any], colors: list[dict[str, Any]]) -> list[str]:
    """The product's colours as palette names: from its photo and from the merchant's color_name."""
    names = [color["name"] for color in colors if color.get("share", 0) >= MIN_COLOR_SHARE]
    declared = metadata.get("color_name")
    if isinstance(declared, str):
        for word in [declared, *declared.replace("/", " ").replace("-", " ").split()]:
            try:
                names.append(color_name(word))
                break
            except InvalidInputError:
                continue
    return sorted(set(names))
