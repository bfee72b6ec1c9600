"""HTTP endpoints for connectors: configuration, connection tests, syncs, runs, failures,
catalog files (bearer token), and platform webhooks (public, proven by signature)."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from bridge.catalog.schemas import PageQuerySchema
from bridge.connections.schemas import (
    ConnectionTestRequestSchema,
    ConnectionTestSchema,
    ConnectorInputSchema,
    ConnectorListSchema,
    ConnectorPatchSchema,
    ConnectorSchema,
    DeletedConnectorSchema,
    FailedItemPageSchema,
    FileQuerySchema,
    PlatformListSchema,
    RetryRequestSchema,
    SyncRequestSchema,
    SyncRunPageSchema,
    SyncRunSchema,
    WebhookAckSchema,
    WebhookSubscribeRequestSchema,
    WebhookSubscriptionSchema,
)
from bridge.http import accepts, current_principal, require_bearer_token, services

blp = Blueprint("connectors", __name__, url_prefix="/v1/connectors", description="Catalog connectors")
blp.before_request(require_bearer_token)
webhooks_blp = Blueprint(
    "connector_webhooks", __name__, url_prefix="/v1/connectors", description="Platform webhooks (signed)"
)
FILE_TYPES = (
    "text/csv",
    "application/x-ndjson",
    "application/jsonl",
    "application/octet-stream",
    "text/plain",
    "multipart/form-data",
)
WEBHOOK_TYPES = ("application/json", "application/x-www-form-urlencoded")
FILE_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/x-ndjson": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
    },
}
WEBHOOK_BODY = {
    "required": True,
    "description": "The platform's payload, verified byte for byte against its signature header",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


def _account() -> str:
    return current_principal().account_id


@blp.route("/platforms")
class Platforms(MethodView):
    @blp.response(200, PlatformListSchema)
    def get(self):
        """The platforms a connector can sync from, with their credential and option fields"""
        return {"platforms": services().connectors.describe_platforms()}


@blp.route("")
class Connectors(MethodView):
    @blp.arguments(ConnectorInputSchema)
    @blp.response(201, ConnectorSchema)
    def post(self, body):
        """Connect a shop (credentials are encrypted and never shown again)"""
        return services().connectors.create(_account(), body)

    @blp.response(200, ConnectorListSchema)
    def get(self):
        """List the account's connectors"""
        return {"connectors": services().connectors.list(_account())}


@blp.route("/<string:connector_id>")
class ConnectorById(MethodView):
    @blp.response(200, ConnectorSchema)
    def get(self, connector_id):
        """Get one connector"""
        return services().connectors.describe(_account(), connector_id)

    @blp.arguments(ConnectorPatchSchema)
    @blp.response(200, ConnectorSchema)
    def patch(self, body, connector_id):
        """Change a connector: name, shop URL, credentials, options, schedule, enabled"""
        return services().connectors.update(_account(), connector_id, body)

    @blp.response(200, DeletedConnectorSchema)
    def delete(self, connector_id):
        """Remove a connector and its sync state (its products stay in the catalog)"""
        services().connectors.delete(_account(), connector_id)
        return {"status": "deleted", "connector_id": connector_id}


@blp.route("/<string:connector_id>/test")
class ConnectionTest(MethodView):
    @blp.arguments(ConnectionTestRequestSchema)
    @blp.response(200, ConnectionTestSchema)
    def post(self, body, connector_id):
        """Test the connection: says exactly what is wrong (DNS, TLS, 401, scope, base path)

        An optional body tries other settings (shop URL, credentials, options) without saving them.
        """
        return services().connectors.test(_account(), connector_id, body)


@blp.route("/<string:connector_id>/webhooks")
class WebhookSubscriptions(MethodView):
    @blp.arguments(WebhookSubscribeRequestSchema)
    @blp.response(200, WebhookSubscriptionSchema)
    def post(self, body, connector_id):
        """Subscribe Bridge to the platform's product webhooks (Shopify, WooCommerce)"""
        return services().connectors.subscribe_webhooks(_account(), connector_id, body.get("public_url"))


@blp.route("/<string:connector_id>/sync")
class Sync(MethodView):
    @blp.arguments(SyncRequestSchema)
    @blp.response(202, SyncRunSchema)
    def post(self, body, connector_id):
        """Start a full or incremental sync now (an interrupted run resumes where it stopped)"""
        return services().syncs.start(_account(), connector_id, body["mode"])


@blp.route("/<string:connector_id>/runs")
class Runs(MethodView):
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, SyncRunPageSchema)
    def get(self, query, connector_id):
        """Sync runs, newest first, with their counts and errors"""
        return services().connectors.runs(_account(), connector_id, query["page"], query["per_page"])


@blp.route("/<string:connector_id>/runs/<string:run_id>")
class RunById(MethodView):
    @blp.response(200, SyncRunSchema)
    def get(self, connector_id, run_id):
        """One sync run"""
        return services().connectors.run(_account(), connector_id, run_id)


@blp.route("/<string:connector_id>/failed-items")
class FailedItems(MethodView):
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, FailedItemPageSchema)
    def get(self, query, connector_id):
        """Products that could not be indexed, each with its reason"""
        return services().connectors.failures(_account(), connector_id, query["page"], query["per_page"])


@blp.route("/<string:connector_id>/failed-items/retry")
class RetryFailedItems(MethodView):
    @blp.arguments(RetryRequestSchema)
    @blp.response(202, SyncRunSchema)
    def post(self, body, connector_id):
        """Index the failed products again (all, or the ones named)"""
        return services().syncs.retry_failures(_account(), connector_id, body.get("product_ids"))


@blp.route("/<string:connector_id>/files")
class CatalogFiles(MethodView):
    @accepts(*FILE_TYPES)
    @blp.doc(requestBody=FILE_BODY)
    @blp.arguments(FileQuerySchema, location="query")
    @blp.response(202, SyncRunSchema)
    def post(self, query, connector_id):
        """Import a catalog file: Shopify product CSV, WooCommerce CSV, generic CSV or JSON Lines

        Send the file as the raw body or as the multipart field ``file``.
        """
        upload = request.files.get("file")
        data = upload.read() if upload is not None else request.get_data()
        return services().syncs.import_file(_account(), connector_id, query["format"], data, query["replace"])


@webhooks_blp.route("/<string:connector_id>/webhooks/<string:platform>")
class PlatformWebhook(MethodView):
    @accepts(*WEBHOOK_TYPES)
    @webhooks_blp.doc(security=[], requestBody=WEBHOOK_BODY)
    @webhooks_blp.response(200, WebhookAckSchema)
    def post(self, connector_id, platform):
        """Receive a product webhook; the signature over the raw body is the only credential

        Shopify: ``X-Shopify-Hmac-Sha256``; WooCommerce: ``X-WC-Webhook-Signature`` (its unsigned
        ping gets 200); CS-Cart add-on: ``X-Bridge-Signature`` and ``X-Bridge-Event-Id``.
        A signature that does not match gets 401 and changes nothing.
        """
        body = request.get_data(cache=True)
        return services().syncs.receive_webhook(connector_id, platform, request.headers, body)
