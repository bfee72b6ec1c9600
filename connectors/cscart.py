"""CS-Cart and Multi-Vendor: ``/api/2.0/products`` with ``items_per_page``, ``page`` and
``params.total_items``; HTTP Basic with an administrator's e-mail and API key.

CS-Cart sends almost every value as a string and empty objects as ``[]`` (PHP arrays), so the
mapping reads defensively. It has no outbound webhooks: a small store add-on hooking
``update_product_post`` / ``delete_product_post`` posts Bridge's own signed JSON (see README).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import marshmallow as ma

from connectors import signatures
from connectors.base import (
    Check,
    Connector,
    ConnectorError,
    FatalError,
    OptionsSchema,
    Page,
    ProductRecord,
    SignatureError,
    WebhookEvent,
    WebhookFormatError,
    webhook_json,
)
from connectors.mapping import COLOR_OPTIONS, int_of, parse_time, price_of, record, text_of, web_urls

SIGNATURE_HEADER = "X-Bridge-Signature"
EVENT_HEADER = "X-Bridge-Event-Id"
BRAND_FEATURE = "E"  # CS-Cart's feature type for brands / manufacturers


class CsCartCredentials(ma.Schema):
    email = ma.fields.Email(required=True, metadata={"description": "The administrator's e-mail"})
    api_key = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    webhook_secret = ma.fields.String(metadata={"description": "Shared with the Bridge add-on; signs its posts"})


class CsCartOptions(OptionsSchema):
    base_path = ma.fields.String(load_default="/api/2.0", validate=ma.validate.Regexp(r"^/[\w./-]*$"))
    page_size = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))
    company_id = ma.fields.Integer(
        validate=ma.validate.Range(min=1), metadata={"description": "Multi-Vendor: only this vendor's products"}
    )
    storefront_url = ma.fields.Url(metadata={"description": "Public shop address for product links"})


class CsCartConnector(Connector):
    name = "cscart"
    title = "CS-Cart / Multi-Vendor"
    primary_keys = ("product_id",)
    replication_key = "updated_timestamp"
    credentials_schema = CsCartCredentials
    options_schema = CsCartOptions
    webhook_signature_header = SIGNATURE_HEADER

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._categories: dict[str, str] | None = None

    @property
    def _base(self) -> str:
        return self.settings.shop_url + self.options["base_path"].rstrip("/")

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        credentials = self.settings.credentials
        auth = signatures.basic_auth(credentials["email"], credentials["api_key"])
        return self.http.get(f"{self._base}{path}", params=params, headers={"Authorization": auth}).json()

    def fetch_page(self, cursor: str | None, since: datetime | None) -> Page:
        page, size = int(cursor or 1), self.options["page_size"]
        params: dict[str, Any] = {"items_per_page": size, "page": page, "sort_by": "timestamp", "sort_order": "asc"}
        if self.options.get("company_id"):
            params["company_id"] = self.options["company_id"]
        if since is not None:
            hours = math.ceil((datetime.now(since.tzinfo) - since) / timedelta(hours=1)) + 1
            params.update(updated_in_hours=max(hours, 1), sort_by="updated_timestamp", sort_order="desc")
        body = self._get("/products", params)
        if not isinstance(body, Mapping) or "products" not in body:
            raise FatalError(
                f"{self._base}/products is not the CS-Cart API: check the API base path.", reason="not_found"
            )
        products = _listed(body["products"])
        records = [r for p in products for r in self._records(p) if since is None or _newer(r, since)]
        total = int_of((body.get("params") or {}).get("total_items")) or 0
        more = products and page < math.ceil(total / size)
        if since is not None and products and not _newer_raw(products[-1], since):
            more = False  # newest first: the rest of the listing is older than the bookmark
        return Page(records, str(page + 1) if more else None)

    def fetch_products(self, product_ids: list[str]) -> list[ProductRecord]:
        return [r for product_id in product_ids for r in self._records(self._get(f"/products/{int(product_id)}"))]

    def _records(self, product: Mapping[str, Any]) -> list[ProductRecord]:
        is_variation = str(product.get("parent_product_id") or "0") != "0"
        if product.get("status", "A") != "A" or (is_variation and self.options.get("variants") != "each"):
            return []
        mapped = self.map_product(product)
        if self.excluded(mapped.payload["metadata"].get("categories") or []):
            return []
        return [mapped]

    def map_product(self, product: Mapping[str, Any]) -> ProductRecord:
        features = _listed(product.get("product_features"))
        brand = next((f.get("variant") for f in features if f.get("feature_type") == BRAND_FEATURE), None)
        color = next(
            (
                f.get("variant") or f.get("value")
                for f in features
                if str(f.get("description", "")).lower() in COLOR_OPTIONS
            ),
            None,
        )
        names = self.category_names()
        categories = [names.get(str(cid), str(cid)) for cid in product.get("category_ids") or []]
        main = names.get(str(product.get("main_category")), categories[0] if categories else None)
        amount = int_of(product.get("amount"))
        shop = (self.options.get("storefront_url") or self.settings.shop_url).rstrip("/")
        metadata = {
            "name": product.get("product"),
            "description": text_of(product.get("full_description") or product.get("short_description")),
            "price": price_of(product.get("price"), product.get("base_price")),
            "list_price": price_of(product.get("list_price")) or None,
            "category": main,
            "categories": categories,
            "brand": brand,
            "color_name": color,
            "sku": product.get("product_code"),
            "stock": amount,
            "in_stock": amount > 0 if amount is not None else None,
            "vendor_id": str(product["company_id"]) if product.get("company_id") else None,
            "url": f"{shop}/index.php?dispatch=products.view&product_id={product['product_id']}",
            "platform": "cscart",
        }
        if str(product.get("parent_product_id") or "0") != "0":
            metadata["parent_id"] = str(product["parent_product_id"])
        images = self.pick_images(_image_urls(product))
        group = metadata.get("parent_id") or product["product_id"]
        return record(product["product_id"], images, metadata, parse_time(product.get("updated_timestamp")), group)

    def category_names(self) -> dict[str, str]:
        """category_id -> name, read once per sync (products carry only ids)."""
        if self._categories is None:
            self._categories = {}
            page = 1
            while True:
                body = self._get("/categories", {"items_per_page": 500, "page": page})
                for category in _listed(body.get("categories")):
                    self._categories[str(category.get("category_id"))] = str(category.get("category"))
                total = int_of((body.get("params") or {}).get("total_items")) or 0
                if page >= math.ceil(total / 500):
                    break
                page += 1
        return self._categories

    def check(self) -> list[Check]:
        try:
            self.fetch_page(None, None)
        except ConnectorError as exc:
            return [Check("products", False, exc.message, exc.reason)]
        return [Check("products", True, "The API key can list products.")]

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Bridge's format: ``{"event": "product.updated"|"product.deleted", "product_id": "12",
        "product": {...optional, the API shape...}}``, signed like Shopify's webhooks."""
        if not headers.get(EVENT_HEADER):
            raise WebhookFormatError(f"Missing the {EVENT_HEADER} header.", field=EVENT_HEADER)
        if not signatures.verify(
            [self.settings.credentials.get("webhook_secret")], body, headers.get(SIGNATURE_HEADER)
        ):
            raise SignatureError(f"{SIGNATURE_HEADER} does not match the body.", field=SIGNATURE_HEADER)
        event = webhook_json(body, require_id=False)
        product_id = str(event.get("product_id") or "")
        if not product_id.isdigit():
            raise WebhookFormatError("product_id must be a CS-Cart product id.", field="product_id")
        delivery = headers[EVENT_HEADER]
        if event.get("event") == "product.deleted":
            return WebhookEvent(delivery, deletes=[product_id])
        if isinstance(event.get("product"), Mapping):
            return WebhookEvent(delivery, upserts=self._records(event["product"]))
        return WebhookEvent(delivery, fetch=[product_id])


def _listed(value: Any) -> list[Mapping[str, Any]]:
    """CS-Cart lists come as lists, as objects keyed by id, or as ``[]`` when empty."""
    items = value.values() if isinstance(value, Mapping) else value or []
    return [item for item in items if isinstance(item, Mapping)]


def _image_urls(product: Mapping[str, Any]) -> list[str]:
    """The store's own ``image_path`` first (``https_image_path`` is only derived from it by
    swapping the scheme); never ``absolute_path``, which is a path on the shop's disk."""
    pairs = [product.get("main_pair") or {}] + sorted(
        _listed(product.get("image_pairs")), key=lambda pair: int_of(pair.get("position")) or 0
    )
    urls = []
    for pair in pairs:
        image = (pair.get("detailed") or {}) if isinstance(pair, Mapping) else {}
        image = image or pair.get("icon") or {}
        urls.append(image.get("image_path") or image.get("https_image_path") or image.get("http_image_path"))
    return web_urls(urls)


def _newer(item: ProductRecord, since: datetime) -> bool:
    return item.updated_at is None or item.updated_at >= since


def _newer_raw(product: Mapping[str, Any], since: datetime) -> bool:
    updated = parse_time(product.get("updated_timestamp"))
    return updated is None or updated >= since
