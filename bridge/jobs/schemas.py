"""Bulk job request and response schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from bridge.catalog.schemas import HttpUrl

MAX_BULK_PRODUCTS = 10_000


class BulkRequestSchema(ma.Schema):
    products = fields.List(
        fields.Raw(),
        required=True,
        validate=validate.Length(min=1, max=MAX_BULK_PRODUCTS),
        metadata={"description": "Products as for POST /v1/products; each is validated on its own."},
    )
    callback_url = HttpUrl(metadata={"example": "https://your-server.com/webhook"})
    callback_secret = fields.String(
        validate=validate.Length(min=8, max=200),
        load_only=True,
        metadata={"description": "HMAC secret for X-Webhook-Signature; default: the account's callback secret."},
    )


class BulkAcceptedSchema(ma.Schema):
    job_id = fields.String()
    status = fields.String(metadata={"example": "processing"})
    total = fields.Integer(metadata={"example": 2})
    rejected = fields.Integer(metadata={"description": "Products refused by validation (see the job's errors)."})
    message = fields.String()


class JobErrorSchema(ma.Schema):
    index = fields.Integer()
    product_id = fields.String(allow_none=True)
    field = fields.String(allow_none=True)
    error = fields.String()


class JobSchema(ma.Schema):
    job_id = fields.String()
    type = fields.String(metadata={"example": "bulk_index"})
    status = fields.String(metadata={"description": "queued, processing, completed or failed"})
    total = fields.Integer()
    processed = fields.Integer()
    succeeded = fields.Integer()
    failed = fields.Integer()
    progress = fields.Float(metadata={"example": 0.5})
    errors = fields.List(fields.Nested(JobErrorSchema))
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    duration_seconds = fields.Float(allow_none=True)
    products_per_second = fields.Float(allow_none=True)
    callback_url = fields.String(allow_none=True)
    callback_status = fields.String(allow_none=True)
