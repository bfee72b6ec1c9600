"""One filter tree for product search, read from three input languages and evaluated in two places.

Inputs, all producing the same ``AllOf`` of ``Condition`` for equivalent filters:

- ``parse_mongo``: seed 003's MongoDB-like language, as a JSON object or relaxed text such as
  ``{price: {gte: 50, lt: 100}, brand: ["Nike", "Adidas"], attributes["material"]: "cotton"}``;
- ``parse_metadata_filters``: seed 000's ``[{"field", "operator", "value"}]`` list;
- ``from_prefilters``: the ``category``, ``price_min``, ``price_max`` and ``color`` pre-filters.

``combine`` ANDs them; ``to_chroma_where`` moves what Chroma can decide exactly into a ``where`` clause, and
``matches`` checks the rest against ``product_document``. Refusals are ``InvalidInputError`` naming the
request field and where in it, e.g. ``filters: unknown operator "gtx" for price at position 14``.

Field names a filter may use, and the document path they read:

=====================================  ==============================================================
filter field                           document path
=====================================  ==============================================================
``brand``, ``brand_name``              ``brand``
``brand_id``                           ``brand_id`` (merchant field, when present)
``category``                           ``category``: the whole category, e.g. "Men/Tops/Tees"
``page_names``, ``category_name``      ``page_names``: the category, each of its "/" segments
                                       ("Men", "Tops", "Tees") and any merchant ``page_names``
``page_ids``, ``category_id``          ``page_ids``: merchant ``page_ids`` plus ``category_id``
``tags``                               ``tags``
``color``, ``colors``                  ``colors``: the palette names of the product (photo and
                                       ``color_name``); a requested colour stands for every palette
                                       name perceptually close to it (``similar_palette_names``), so
                                       ``{color: "navy"}`` also finds blue products; colour names or
                                       #rrggbb, with eq, ne, in, nin or contains only
``attributes["key"]``,                 ``key``: the merchant's own field, verbatim, never an alias
``attributes.key``                     (``attributes["color"]`` is a custom "color" field)
any other name (``price``, ``name``,   that metadata field; ``a.b`` reads field ``b`` of an object
``material``, ``size``, ``rating``)    field ``a``
=====================================  ==============================================================

Operators: eq, ne, gt, gte, lt, lte, in, nin, contains, like ("prefix%" only). ``evaluate`` documents their
exact semantics; ``chroma`` documents which conditions Chroma evaluates.
"""

from __future__ import annotations

from bridge.search.filtering.chroma import to_chroma_where
from bridge.search.filtering.evaluate import matches
from bridge.search.filtering.fields import product_document
from bridge.search.filtering.mongo import parse_mongo
from bridge.search.filtering.structured import from_prefilters, parse_metadata_filters
from bridge.search.filtering.tree import OPERATORS, AllOf, Condition, combine

__all__ = [
    "OPERATORS",
    "AllOf",
    "Condition",
    "combine",
    "from_prefilters",
    "matches",
    "parse_metadata_filters",
    "parse_mongo",
    "product_document",
    "to_chroma_where",
]
