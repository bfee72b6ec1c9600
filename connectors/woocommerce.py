"""WooCommerce: REST API v3 (``/wp-json/wc/v3``), ``per_page`` <= 100, ``X-WP-TotalPages``.

Full syncs page by id ascending, because the default (newest first) shifts pages while products
are added. Incremental syncs use ``modified_after`` (WooCommerce 5.x+); older stores ignore it,
and content-hash skipping in the sync engine then keeps unchanged products from re-indexing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import marshmallow as ma

from connectors import signatures
from connectors.base import (
    Check,
    Connector,
    ConnectorError,
    FatalError,
    OptionsSchema,
    Page,
    Paginator,
    ProductRecord,
    SignatureError,
    WebhookEvent,
    webhook_json,
)
from connectors.mapping import COLOR_OPTIONS, int_of, parse_time, price_of, record, text_of, web_urls

BRAND_ATTRIBUTES = {"brand", "brands", "manufacturer"}
WEBHOOK_TOPICS = ("product.created", "product.updated", "product.deleted", "product.restored")


class WooCredentials(ma.Schema):
    consumer_key = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^ck_\w+$"))
    consumer_secret = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^cs_\w+$"))
    webhook_secret = ma.fields.String(metadata={"description": "The secret set on the WooCommerce webhooks"})


class WooOptions(OptionsSchema):
    base_path = ma.fields.String(load_default="/wp-json/wc/v3", validate=ma.validate.Regexp(r"^/[\w./-]*$"))
    page_size = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=100))


class WooCommerceConnector(Connector):
    name = "woocommerce"
    title = "WooCommerce"
    replication_key = "date_modified_gmt"
    credentials_schema = WooCredentials
    options_schema = WooOptions
    webhook_signature_header = "X-WC-Webhook-Signature"

    @property
    def _base(self) -> str:
        return self.settings.shop_url + self.options["base_path"].rstrip("/")

    def _get(self, path: str, params: dict[str, Any] | None = None):
        return self._send("GET", path, params=params)

    def _send(self, method: str, path: str, params: dict[str, Any] | None = None, **kwargs: Any):
        """HTTP Basic over HTTPS; over plain HTTP, OAuth 1.0a signed query parameters instead, so
        the secret never travels (WooCommerce refuses Basic auth there)."""
        url, credentials = f"{self._base}{path}", self.settings.credentials
        key, secret = credentials["consumer_key"], credentials["consumer_secret"]
        if url.startswith("https://"):
            headers = {"Authorization": signatures.basic_auth(key, secret)}
            return self.http.request(method, url, params=params, headers=headers, **kwargs)
        signed = signatures.oauth1_params(method, url, params or {}, key, secret)
        return self.http.request(method, url, params=signed, **kwargs)

    def fetch_page(self, cursor: str | None, since: datetime | None) -> Page:
        page = int(cursor or 1)
        params: dict[str, Any] = {
            "per_page": self.options["page_size"],
            "page": page,
            "orderby": "id",
            "order": "asc",
            "status": "publish",
        }
        if since is not None:
            params.update(modified_after=since.replace(tzinfo=None).isoformat(timespec="seconds"), dates_are_gmt="true")
        response = self._get("/products", params)
        products = response.json()
        if not isinstance(products, list):
            raise FatalError(f"{response.url.split('?')[0]} is not a WooCommerce product list.", reason="not_found")
        total_pages = int_of(response.headers.get("X-WP-TotalPages")) or page
        records: list[ProductRecord] = []
        for product in products:
            records.extend(self._records(product))
        return Page(records, str(page + 1) if products and page < total_pages else None)

    def fetch_products(self, product_ids: list[str]) -> list[ProductRecord]:
        records: list[ProductRecord] = []
        for product_id in product_ids:
            records.extend(self._records(self._get(f"/products/{int(product_id)}").json()))
        return records

    def _records(self, product: Mapping[str, Any]) -> list[ProductRecord]:
        if product.get("status", "publish") != "publish" or self.excluded(_names(product.get("categories"))):
            return []
        if self.options.get("variants") == "each" and product.get("type") == "variable":
            variations = self._variations(product["id"])
            if variations:
                return [self.map_variation(product, variation) for variation in variations]
        return [self.map_product(product)]

    def _variations(self, product_id: int) -> list[dict[str, Any]]:
        variations: list[dict[str, Any]] = []
        paginator = Paginator("1")
        while True:
            response = self._get(f"/products/{product_id}/variations", {"per_page": 100, "page": paginator.cursor})
            variations += response.json()
            pages = int_of(response.headers.get("X-WP-TotalPages")) or 1
            if not paginator.advance(str(int(paginator.cursor) + 1) if int(paginator.cursor) < pages else None):
                return variations

    def map_product(self, product: Mapping[str, Any]) -> ProductRecord:
        categories = _names(product.get("categories"))
        attributes = {
            a.get("name", ""): [str(o) for o in a.get("options") or []] for a in product.get("attributes") or []
        }
        colors = next((values for name, values in attributes.items() if name.lower() in COLOR_OPTIONS), [])
        brands = _names(product.get("brands")) or next(
            (values for name, values in attributes.items() if name.lower() in BRAND_ATTRIBUTES), []
        )
        metadata = {
            "name": product.get("name"),
            "description": text_of(product.get("description") or product.get("short_description")),
            "price": price_of(product.get("price"), product.get("regular_price")),
            "category": categories[0] if categories else None,
            "categories": categories,
            "brand": brands[0] if brands else None,
            "tags": _names(product.get("tags")),
            "url": product.get("permalink"),
            "color_name": colors[0] if colors else None,
            "colors": colors,
            "sku": product.get("sku"),
            "stock": product.get("stock_quantity"),
            "in_stock": product.get("stock_status") == "instock" if product.get("stock_status") else None,
            "attributes": {name: values for name, values in attributes.items() if name},
            "platform": "woocommerce",
        }
        images = web_urls([image.get("src") for image in product.get("images") or []])
        return record(product["id"], self.pick_images(images), metadata, _modified(product))

    def map_variation(self, product: Mapping[str, Any], variation: Mapping[str, Any]) -> ProductRecord:
        parent = self.map_product(product)
        options = {a.get("name", ""): str(a.get("option", "")) for a in variation.get("attributes") or []}
        color = next((value for name, value in options.items() if name.lower() in COLOR_OPTIONS), None)
        metadata = {
            **parent.payload["metadata"],
            "name": " - ".join([str(product.get("name"))] + [value for value in options.values() if value]),
            "price": price_of(variation.get("price"), variation.get("regular_price")),
            "sku": variation.get("sku") or None,
            "options": options,
            "color_name": color or parent.payload["metadata"].get("color_name"),
            "parent_id": str(product["id"]),
            "url": variation.get("permalink") or parent.payload["metadata"].get("url"),
            "stock": variation.get("stock_quantity"),
        }
        own = web_urls([(variation.get("image") or {}).get("src")])
        images = self.pick_images(own + parent.payload["image_urls"])
        return record(f"{product['id']}-{variation['id']}", images, metadata, _modified(variation), product["id"])

    def check(self) -> list[Check]:
        try:
            products = self._get("/products", {"per_page": 1}).json()
            if not isinstance(products, list):
                raise FatalError(f"{self._base}/products is not a WooCommerce product list.", reason="not_found")
        except ConnectorError as exc:
            reason = "missing_scope" if exc.reason == "forbidden" else exc.reason
            detail = (
                exc.message
                if reason != "missing_scope"
                else ("The API key lacks Read permission on products (HTTP 403): give it Read or Read/Write access.")
            )
            return [Check("products", False, detail, reason)]
        return [Check("products", True, "The consumer key can list products.")]

    def subscribe(self, webhook_url: str) -> list[str]:
        """One webhook per product topic, signed with ``webhook_secret``; existing ones are kept."""
        secret = self.settings.credentials.get("webhook_secret")
        if not secret:
            raise FatalError(
                "Set credentials.webhook_secret first: WooCommerce signs webhooks with it.", reason="no_webhook_secret"
            )
        existing = {
            hook.get("topic")
            for hook in self._get("/webhooks", {"per_page": 100}).json()
            if hook.get("delivery_url") == webhook_url and hook.get("status") == "active"
        }
        for topic in WEBHOOK_TOPICS:
            if topic not in existing:
                body = {"name": f"Bridge {topic}", "topic": topic, "delivery_url": webhook_url, "secret": secret}
                self._send("POST", "/webhooks", json_body=body)
        return list(WEBHOOK_TOPICS)

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        signature = headers.get("X-WC-Webhook-Signature")
        if not signature and set(parse_qs(body.decode("utf-8", "replace"))) == {"webhook_id"}:
            return WebhookEvent(ping=True)  # sent unsigned when a webhook is saved; must get 200
        if not signatures.verify([self.settings.credentials.get("webhook_secret")], body, signature):
            raise SignatureError("X-WC-Webhook-Signature does not match the body.", field="X-WC-Webhook-Signature")
        topic = headers.get("X-WC-Webhook-Topic") or ""
        product = webhook_json(body)
        # Delivery ids are per attempt, not per event: the same change re-sent has a new one.
        changed = product.get("date_modified_gmt") or headers.get("X-WC-Webhook-Delivery-ID")
        delivery = f"{topic}:{product.get('id')}:{changed}"
        if topic == "product.deleted" or product.get("status") in ("trash", "draft", "private", "pending"):
            return WebhookEvent(delivery, deletes=[str(product["id"])])
        if topic not in ("product.created", "product.updated", "product.restored"):
            return WebhookEvent(delivery)
        if self.options.get("variants") == "each" and product.get("type") == "variable":
            return WebhookEvent(delivery, fetch=[str(product["id"])])
        return WebhookEvent(delivery, upserts=[self.map_product(product)])


def _names(items: Any) -> list[str]:
    return [str(item["name"]) for item in items or [] if isinstance(item, Mapping) and item.get("name")]


def _modified(item: Mapping[str, Any]) -> datetime | None:
    return parse_time(item.get("date_modified_gmt") or item.get("date_modified"))
