"""Search request and response schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from bridge.catalog.schemas import HttpUrl


class PrefilterSchema(ma.Schema):
    """Pre-filters accepted by every search endpoint."""

    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100), metadata={"example": 10})
    threshold = fields.Float(
        load_default=0.0,
        validate=validate.Range(min=0, max=1),
        metadata={"description": "Minimum similarity_score (0..1); try 0.5 for images, 0.3 for text.", "example": 0.5},
    )
    category = fields.String(validate=validate.Length(max=300), metadata={"example": "footwear"})
    price_min = fields.Float(validate=validate.Range(min=0), allow_nan=False)
    price_max = fields.Float(validate=validate.Range(min=0), allow_nan=False)
    color = fields.String(
        validate=validate.Length(max=40),
        metadata={"description": "A colour name (blue, navy, ...) or #rrggbb; matches perceptually close colours."},
    )
    filters = fields.Raw(
        metadata={
            "description": "Seed 003's MongoDB-like filter, as an object or a string such as "
            '`{price: {gte: 50, lt: 100}, brand_name: ["Nike", "Adidas"], attributes["material"]: "cotton"}`.',
        }
    )
    metadata_filters = fields.List(
        fields.Dict(),
        validate=validate.Length(max=50),
        metadata={
            "description": "Seed 000's `[{field, operator, value}]`; operators eq, ne, gt, gte, lt, lte, in, nin, "
            "contains, like.",
            "example": [{"field": "category", "operator": "eq", "value": "dresses"}],
        },
    )
    category_boost = fields.Boolean(
        load_default=True,
        metadata={"description": "Boost results in the query's inferred category (on by default)."},
    )
    explain = fields.Boolean(
        load_default=False, metadata={"description": "Add each channel's score to every result (`explain`)."}
    )
    user_id = fields.String(validate=validate.Length(max=200), metadata={"description": "The shopper (seed 003)."})
    session_id = fields.String(validate=validate.Length(max=200), metadata={"description": "The shopper's session."})
    language = fields.String(validate=validate.Length(max=16), metadata={"example": "en"})


class UrlSearchSchema(PrefilterSchema):
    image_url = HttpUrl(required=True, metadata={"example": "https://example.com/blue-sneaker.jpg"})


class UploadSearchFormSchema(PrefilterSchema):
    pass


class UploadFileSchema(ma.Schema):
    image = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class TextSearchSchema(PrefilterSchema):
    query = fields.String(
        required=True, validate=validate.Length(min=1, max=500), metadata={"example": "blue running shoes"}
    )


class FusionSearchSchema(PrefilterSchema):
    image_url = HttpUrl(metadata={"example": "https://example.com/red-dress.jpg"})
    query = fields.String(validate=validate.Length(min=1, max=500), metadata={"example": "in blue"})
    image_weight = fields.Float(
        load_default=0.5,
        validate=validate.Range(min=0, max=1),
        metadata={"description": "Share of the photo in the blend; the words get the rest.", "example": 0.6},
    )


class HybridSearchSchema(PrefilterSchema):
    """Seed 000's hybrid search: photo and/or words, colours and metadata filters."""

    image_url = HttpUrl(metadata={"example": "https://example.com/red-dress.jpg"})
    query = fields.String(validate=validate.Length(min=1, max=500), metadata={"example": "summer dress"})
    colors = fields.List(
        fields.String(validate=validate.Length(max=40)),
        validate=validate.Length(max=10),
        metadata={"description": "Any of these colours (names or #rrggbb).", "example": ["red", "pink"]},
    )
    visual_weight = fields.Float(load_default=0.7, validate=validate.Range(min=0, max=1), metadata={"example": 0.7})


class FilteredSearchSchema(PrefilterSchema):
    image_url = HttpUrl(required=True)


class MultiImageSearchSchema(PrefilterSchema):
    image_urls = fields.List(HttpUrl(), required=True, validate=validate.Length(min=1, max=10))
    aggregation = fields.String(
        load_default="average",
        validate=validate.OneOf(["average", "union", "best"]),
        metadata={"description": "average: mean photo; best: best match to any photo; union: photos take turns."},
    )


class BoxSchema(ma.Schema):
    """A crop box in pixels, or in fractions of the photo when every value is ≤ 1."""

    x = fields.Float(required=True, validate=validate.Range(min=0))
    y = fields.Float(required=True, validate=validate.Range(min=0))
    width = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))
    height = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))


class CropSearchSchema(PrefilterSchema):
    image_url = HttpUrl(required=True)
    box = fields.Nested(BoxSchema, required=True)


class CropUploadFormSchema(PrefilterSchema, BoxSchema):
    pass


class BatchSearchSchema(ma.Schema):
    queries = fields.List(
        fields.Dict(),
        required=True,
        validate=validate.Length(min=1, max=20),
        metadata={
            "description": "Up to 20 searches, each `{type, ...}` with the body of that mode: type is one of "
            "url, text, fusion, hybrid, filtered, multi_image, crop.",
            "example": [{"type": "text", "query": "red dress", "limit": 5}],
        },
    )


class SearchResultSchema(ma.Schema):
    product_id = fields.String(metadata={"example": "shoe-001"})
    similarity_score = fields.Float(
        metadata={"description": "0..1, calibrated per vector space; higher is more similar.", "example": 0.87}
    )
    metadata = fields.Dict()
    explain = fields.Dict(metadata={"description": "With explain=true: each channel's score for this result."})


class SearchResponseSchema(ma.Schema):
    query_id = fields.String()
    query_time_ms = fields.Float(metadata={"example": 12.5})
    count = fields.Integer()
    results = fields.List(fields.Nested(SearchResultSchema))
    inferred_category = fields.String(
        allow_none=True, metadata={"description": "The category the results were boosted towards, if any."}
    )
    visual_model = fields.String(
        metadata={
            "description": "Image searches: the visual model that answered (OpenCLIP or the fallback descriptor)."
        }
    )


class BatchItemSchema(ma.Schema):
    index = fields.Integer()
    type = fields.String()
    status = fields.String(metadata={"description": "ok or error"})
    response = fields.Nested(SearchResponseSchema, allow_none=True)
    error = fields.Dict(allow_none=True, metadata={"description": "{error, detail, field} when this query failed"})


class BatchResponseSchema(ma.Schema):
    count = fields.Integer()
    succeeded = fields.Integer()
    failed = fields.Integer()
    results = fields.List(fields.Nested(BatchItemSchema))


class SuggestQuerySchema(ma.Schema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"example": "jack"})
    limit = fields.Integer(load_default=8, validate=validate.Range(min=1, max=20))


class SuggestionSchema(ma.Schema):
    text = fields.String(metadata={"example": "Stellar Solar Jacket"})
    kind = fields.String(metadata={"description": "product, brand, category or query"})
    score = fields.Float()
    highlight = fields.List(fields.List(fields.Integer()), metadata={"description": "[start, end) spans matched"})
    highlighted = fields.String(metadata={"example": "Stellar Solar <mark>Jack</mark>et"})
    corrected = fields.Boolean(metadata={"description": "true when matched with a typo correction"})


class SuggestProductSchema(ma.Schema):
    product_id = fields.String()
    name = fields.String(allow_none=True)
    price = fields.Float(allow_none=True)
    image_url = fields.String(allow_none=True)
    url = fields.String(allow_none=True)


class SuggestResponseSchema(ma.Schema):
    query = fields.String()
    query_time_ms = fields.Float()
    suggestions = fields.List(fields.Nested(SuggestionSchema))
    products = fields.List(fields.Nested(SuggestProductSchema))
