"""Schemas of seed 003's visual search and visual recommend."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate


class VisualSearchSchema(ma.Schema):
    img = fields.String(
        required=True,
        validate=validate.Length(min=1, max=22_000_000),
        metadata={"description": "The photo, base64-encoded, e.g. data:image/jpeg;base64,..."},
    )
    session_id = fields.String(validate=validate.Length(max=200))
    user_id = fields.String(validate=validate.Length(max=200))


class DetectionSchema(ma.Schema):
    xcenter = fields.Integer(metadata={"example": 810})
    ycenter = fields.Integer(metadata={"example": 1086})
    width = fields.Integer(metadata={"example": 1211})
    height = fields.Integer(metadata={"example": 743})
    confidence = fields.Float(metadata={"example": 0.959})
    class_ = fields.Integer(
        data_key="class",
        attribute="class",
        metadata={"description": "Stable id of the category (CRC-32 of its name); -1 if none."},
    )
    name = fields.String(metadata={"description": "The category name (may be empty)."})
    embedding = fields.List(fields.Float(), metadata={"description": "The region's vector, for visual recommend."})


class DetectionsSchema(ma.Schema):
    detections = fields.List(fields.Nested(DetectionSchema))


class VisualRecommendSchema(ma.Schema):
    img = fields.List(fields.Float(allow_nan=False), required=True, validate=validate.Length(min=1, max=10_000))
    detected_class = fields.Integer(load_default=None, allow_none=True)
    n_rec = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))
    session_id = fields.String(validate=validate.Length(max=200))
    user_id = fields.String(validate=validate.Length(max=200))


class Seed003ProductSchema(ma.Schema):
    id = fields.String()
    item_id = fields.String()
    name = fields.String(allow_none=True)
    brand_id = fields.Raw(allow_none=True)
    brand_name = fields.String(allow_none=True)
    page_ids = fields.List(fields.Raw())
    page_names = fields.List(fields.String())
    category_id = fields.Raw(allow_none=True)
    category_name = fields.String(allow_none=True)
    gender = fields.String(allow_none=True)
    price = fields.Float(allow_none=True)
    market_price = fields.Float(allow_none=True)
    discount = fields.Float(allow_none=True)
    url = fields.String()
    images = fields.List(fields.String())
    tags = fields.List(fields.String())
    attributes = fields.Dict()
