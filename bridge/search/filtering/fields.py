"""Which product field a filter names, and the product document that filters are evaluated against.

The document is the merchant metadata, with the typed fields kept to the types the vector store keeps
(``vectorviews.filter_metadata``) and three derived list fields, so that a condition pre-filtered by Chroma
and the same condition evaluated here select the same products.
"""

from __future__ import annotations

from typing import Any

from bridge.errors import InvalidInputError
from bridge.search.filtering.syntax import parse_field

COLORS = ("colors",)
CATEGORY = ("category",)
PRICE = ("price",)

# Names from seed 003 (and a few obvious ones) and the document path they stand for.
_ALIASES = {
    "brand_name": ("brand",),
    "page_names": ("page_names",),
    "category_name": ("page_names",),
    "page_ids": ("page_ids",),
    "category_id": ("page_ids",),
    "color": COLORS,
    "colors": COLORS,
}
_CATEGORY_SEPARATORS = ("/", ">", "|")


def canonical_path(name: str) -> tuple[str, ...]:
    """The document path for a field name as written in a filter.

    ``attributes["key"]`` and ``attributes.key`` name the merchant's own field ``key`` verbatim, never an
    alias: that is how a custom field called "color" stays reachable next to the palette colours.
    """
    path = parse_field(name)
    if path[0] == "attributes":
        if len(path) == 1:
            raise InvalidInputError('attributes needs a key, as in attributes["material"]')
        return path[1:]
    if len(path) == 1 and path[0] in _ALIASES:
        return _ALIASES[path[0]]
    return path


def product_document(metadata: dict[str, Any], colors: list[str]) -> dict[str, Any]:
    """What filters read about one product.

    ``colors`` should be the palette names the vector store holds for the product
    (``vectorviews.palette_names``), so that colour pre-filtering in Chroma and evaluation here agree.
    A category that is not a string, or a price that is not a number, is left out, as Chroma leaves it out.
    Derived ``colors``, ``page_names`` and ``page_ids`` take the place of merchant fields of the same names;
    the merchant's own page names and ids are folded into them.
    """
    document = dict(metadata)
    if not isinstance(metadata.get("category"), str):
        document.pop("category", None)
    price = metadata.get("price")
    if isinstance(price, (int, float)):  # bool included, exactly as filter_metadata stores it
        document["price"] = float(price)
    else:
        document.pop("price", None)
    document["colors"] = sorted({name.strip().lower() for name in colors if isinstance(name, str)})
    document["page_names"] = _page_names(metadata)
    document["page_ids"] = _as_list(metadata.get("page_ids")) + _as_list(metadata.get("category_id"))
    return document


def _page_names(metadata: dict[str, Any]) -> list[str]:
    """The category, each segment of a category path ("Men/Tops/Tees"), and any merchant page names."""
    category = metadata.get("category")
    names = _as_list(metadata.get("page_names"))
    if isinstance(category, str):
        segments = category
        for separator in _CATEGORY_SEPARATORS:
            segments = segments.replace(separator, "/")
        names = [category, *(part.strip() for part in segments.split("/") if part.strip()), *names]
    return names


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]
