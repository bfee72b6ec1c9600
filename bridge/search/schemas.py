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


class SearchResultSchema(ma.Schema):
    product_id = fields.String(metadata={"example": "shoe-001"})
    similarity_score = fields.Float(
        metadata={"description": "0..1, calibrated per vector space; higher is more similar.", "example": 0.87}
    )
    metadata = fields.Dict()


class SearchResponseSchema(ma.Schema):
    query_id = fields.String()
    query_time_ms = fields.Float(metadata={"example": 12.5})
    count = fields.Integer()
    results = fields.List(fields.Nested(SearchResultSchema))
    visual_model = fields.String(
        metadata={
            "description": "Image searches: the visual model that answered (OpenCLIP or the fallback descriptor)."
        }
    )
