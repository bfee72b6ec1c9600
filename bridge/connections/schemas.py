"""Connector request and response schemas (they drive validation and the OpenAPI document).

Platform-specific credentials and options are plain objects here: each platform's own schema
(``connectors.registry``) checks them in the service, so errors name ``credentials.<field>``.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from connectors.files import FORMATS


class ScheduleSchema(ma.Schema):
    interval_minutes = fields.Integer(metadata={"example": 60, "description": "Every N minutes (5 to 10080)"})
    cron = fields.String(metadata={"example": "0 3 * * *", "description": "A crontab line, in UTC"})
    mode = fields.String(
        validate=validate.OneOf(["incremental", "full"]),
        metadata={"description": "incremental (default; the first run is full) or full (also sees deletions)"},
    )


class ConnectorInputSchema(ma.Schema):
    platform = fields.String(required=True, metadata={"example": "shopify"})
    name = fields.String(validate=validate.Length(min=1, max=200), metadata={"example": "Main shop"})
    shop_url = fields.String(validate=validate.Length(max=500), metadata={"example": "https://acme.myshopify.com"})
    credentials = fields.Dict(load_default=dict, metadata={"description": "Stored encrypted, never returned"})
    options = fields.Dict(load_default=dict)
    schedule = fields.Dict(allow_none=True, metadata={"example": {"interval_minutes": 60}})
    enabled = fields.Boolean(load_default=True)


class ConnectorPatchSchema(ma.Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    shop_url = fields.String(validate=validate.Length(max=500))
    credentials = fields.Dict(metadata={"description": "Merged key by key; null removes one"})
    options = fields.Dict(metadata={"description": "Merged key by key; null removes one"})
    schedule = fields.Dict(allow_none=True)
    enabled = fields.Boolean()


class ConnectorSchema(ma.Schema):
    id = fields.String()
    platform = fields.String()
    name = fields.String()
    shop_url = fields.String()
    options = fields.Dict()
    schedule = fields.Nested(ScheduleSchema, allow_none=True)
    enabled = fields.Boolean()
    bookmark = fields.DateTime(allow_none=True, metadata={"description": "Incremental syncs start here"})
    credentials_set = fields.List(fields.String(), metadata={"description": "Names of the stored credentials"})
    webhook_url = fields.String(metadata={"description": "Where the platform should send product webhooks"})
    last_run = fields.Nested("SyncRunSchema", allow_none=True)
    failed_items = fields.Integer(metadata={"description": "Products currently failing, with reasons at failed-items"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ConnectorListSchema(ma.Schema):
    connectors = fields.List(fields.Nested(ConnectorSchema))


class PlatformSchema(ma.Schema):
    platform = fields.String()
    title = fields.String()
    primary_keys = fields.List(fields.String())
    replication_key = fields.String()
    webhook_signature_header = fields.String(allow_none=True)
    credentials = fields.List(fields.Dict(), metadata={"description": "Form fields: name, type, required ..."})
    options = fields.List(fields.Dict())


class PlatformListSchema(ma.Schema):
    platforms = fields.List(fields.Nested(PlatformSchema))


class ConnectionTestRequestSchema(ma.Schema):
    """Optional: settings to try instead of the saved ones (nothing is saved)."""

    shop_url = fields.String(validate=validate.Length(max=500))
    credentials = fields.Dict(metadata={"description": "Merged over the stored ones, key by key"})
    options = fields.Dict()


class WebhookSubscribeRequestSchema(ma.Schema):
    public_url = fields.Url(
        schemes={"https", "http"},
        require_tld=False,
        metadata={"description": "Where the shop reaches Bridge, if not BRIDGE_PUBLIC_URL"},
    )


class RetryRequestSchema(ma.Schema):
    product_ids = fields.List(
        fields.String(), validate=validate.Length(min=1, max=10000), metadata={"description": "Only these"}
    )


class DeletedConnectorSchema(ma.Schema):
    status = fields.String(metadata={"example": "deleted"})
    connector_id = fields.String()


class CheckSchema(ma.Schema):
    name = fields.String(metadata={"example": "credentials"})
    ok = fields.Boolean()
    detail = fields.String()
    reason = fields.String(allow_none=True, metadata={"example": "unauthorized"})


class ConnectionTestSchema(ma.Schema):
    ok = fields.Boolean()
    reason = fields.String(
        allow_none=True,
        metadata={"description": "dns, tls, unauthorized, missing_scope, not_found (wrong base path), not_json ..."},
    )
    detail = fields.String()
    checks = fields.List(fields.Nested(CheckSchema))


class WebhookSubscriptionSchema(ma.Schema):
    ok = fields.Boolean()
    reason = fields.String(allow_none=True, metadata={"example": "forbidden"})
    detail = fields.String()
    webhook_url = fields.String()
    topics = fields.List(fields.String(), metadata={"example": ["product.created", "product.updated"]})


class SyncRequestSchema(ma.Schema):
    mode = fields.String(load_default="full", validate=validate.OneOf(["full", "incremental"]))


class SyncRunSchema(ma.Schema):
    id = fields.String()
    connector_id = fields.String()
    mode = fields.String(metadata={"description": "full, incremental, file, file_full or retry"})
    status = fields.String(metadata={"description": "running, succeeded, failed or interrupted (resumes)"})
    trigger = fields.String(metadata={"description": "api, schedule or cli"})
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    since = fields.DateTime(allow_none=True)
    pages = fields.Integer()
    seen = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    deleted = fields.Integer()
    failed = fields.Integer()
    error = fields.String(allow_none=True)


class SyncRunPageSchema(ma.Schema):
    runs = fields.List(fields.Nested(SyncRunSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class FailedItemSchema(ma.Schema):
    product_id = fields.String()
    reason = fields.String()
    run_id = fields.String(allow_none=True)
    attempts = fields.Integer()
    retryable = fields.Function(lambda failure: failure.payload is not None)
    first_failed_at = fields.DateTime()
    last_failed_at = fields.DateTime()


class FailedItemPageSchema(ma.Schema):
    failed_items = fields.List(fields.Nested(FailedItemSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class FileQuerySchema(ma.Schema):
    format = fields.String(required=True, validate=validate.OneOf(list(FORMATS)))
    replace = fields.Boolean(
        load_default=False, metadata={"description": "Delete this connector's products missing from the file"}
    )


class WebhookAckSchema(ma.Schema):
    status = fields.String(metadata={"example": "accepted"})
    detail = fields.String()
