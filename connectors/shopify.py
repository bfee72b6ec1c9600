"""Shopify: the GraphQL Admin API with cursors (REST kept for older custom-app tokens).

Both listings are normalised to the REST product shape, which is also what webhooks carry, so
one mapping serves the full sync, the incremental sync and ``products/*`` webhooks. Throttling
is read from every response: the REST leaky bucket (``X-Shopify-Shop-Api-Call-Limit``, 429 with
``Retry-After``) and the GraphQL cost bucket (``extensions.cost.throttleStatus``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
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
    Paginator,
    ProductRecord,
    SignatureError,
    WebhookEvent,
    WebhookFormatError,
    webhook_json,
)
from connectors.http import PlatformResponse, link_next
from connectors.mapping import COLOR_OPTIONS, parse_time, price_of, record, text_of, web_urls
from connectors.shopify_auth import AccessToken, ShopifyCredentials
from connectors.shopify_graphql import (
    PRODUCTS_QUERY,
    SUBSCRIBE_MUTATION,
    VARIANTS_QUERY,
    WEBHOOK_TOPICS,
    graphql_throttle,
    refill_wait,
    rest_shape,
)

log = logging.getLogger(__name__)
REQUIRED_SCOPE = "read_products"
WEBHOOK_HEADERS = ("X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Webhook-Id")


class ShopifyOptions(OptionsSchema):
    api = ma.fields.String(load_default="graphql", validate=ma.validate.OneOf(["graphql", "rest"]))
    api_version = ma.fields.String(load_default="2026-01", validate=ma.validate.Regexp(r"^\d{4}-\d{2}$|^unstable$"))
    page_size = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=250))
    storefront_url = ma.fields.Url(metadata={"description": "Public shop address for product links"})


class ShopifyConnector(Connector):
    name = "shopify"
    title = "Shopify"
    replication_key = "updated_at"
    credentials_schema = ShopifyCredentials
    options_schema = ShopifyOptions
    webhook_signature_header = "X-Shopify-Hmac-Sha256"

    @property
    def _base(self) -> str:
        return f"{self.settings.shop_url}/admin/api/{self.options['api_version']}"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._token = AccessToken(self)

    def _send(self, method: str, url: str, **kwargs: Any) -> PlatformResponse:
        """A request with the token; a granted token that expired is renewed once, on 401."""
        try:
            return self.http.request(method, url, headers=self._token.headers(), **kwargs)
        except FatalError as exc:
            if exc.reason != "unauthorized" or not self._token.renewable:
                raise
            self._token.expire()
            return self.http.request(method, url, headers=self._token.headers(), **kwargs)

    # -- listing --------------------------------------------------------------------------

    def fetch_page(self, cursor: str | None, since: datetime | None) -> Page:
        if self.options["api"] == "rest":
            return self._rest_page(cursor, since)
        return self._graphql_page(cursor, since)

    def _rest_page(self, cursor: str | None, since: datetime | None) -> Page:
        if cursor is None:
            params: dict[str, Any] = {"limit": self.options["page_size"], "status": "active"}
            if since is not None:
                params["updated_at_min"] = since.isoformat()
            response = self._send("GET", f"{self._base}/products.json", params=params, inspect=self._rest_limits)
        else:
            if not cursor.startswith(self.settings.shop_url + "/"):  # the token must never leave the shop
                raise FatalError("Shopify sent a next-page link to another host; stopping.", reason="bad_cursor")
            response = self._send("GET", cursor, inspect=self._rest_limits)
        products = response.json().get("products") or []
        return self._page(products, link_next(response.headers))

    def _graphql_page(self, cursor: str | None, since: datetime | None) -> Page:
        query = "status:active" + (f" AND updated_at:>'{since.isoformat()}'" if since else "")
        variables = {"first": self.options["page_size"], "after": cursor, "query": query}
        data = self._graphql(PRODUCTS_QUERY, variables)["products"]
        info = data.get("pageInfo") or {}
        next_cursor = info.get("endCursor") if info.get("hasNextPage") else None
        nodes = data.get("nodes") or []
        for node in nodes:
            self._all_variants(node)
        return self._page([rest_shape(node) for node in nodes], next_cursor)

    def _all_variants(self, node: dict[str, Any]) -> None:
        variants = node.get("variants") or {}
        info, paginator = variants.get("pageInfo") or {}, Paginator()
        while info.get("hasNextPage") and paginator.advance(info.get("endCursor")):
            more = self._graphql(VARIANTS_QUERY, {"id": node["id"], "after": paginator.cursor})["product"]["variants"]
            variants["nodes"] = (variants.get("nodes") or []) + (more.get("nodes") or [])
            info = more.get("pageInfo") or {}

    def _graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = self._send(
            "POST",
            f"{self._base}/graphql.json",
            json_body={"query": query, "variables": variables},
            inspect=graphql_throttle,
        )
        body = response.json()
        errors = body.get("errors") or []
        if errors:
            codes = {(error.get("extensions") or {}).get("code") for error in errors}
            reason = "missing_scope" if "ACCESS_DENIED" in codes else "graphql_error"
            raise FatalError(f"Shopify GraphQL: {errors[0].get('message', 'error')}", reason=reason)
        wait = refill_wait(body)
        if wait:  # the next query would be throttled: let the bucket refill first
            self.http.sleep(wait)
        return body.get("data") or {}

    def _rest_limits(self, response: PlatformResponse) -> None:
        """Pause before the leaky bucket overflows instead of earning a 429 (2 requests/s drain);
        say when Shopify marks the endpoint deprecated, as its own clients do."""
        if response.headers.get("X-Shopify-API-Deprecated-Reason"):
            log.warning("Shopify deprecation: %s", response.headers["X-Shopify-API-Deprecated-Reason"])
        used, _, size = (response.headers.get("X-Shopify-Shop-Api-Call-Limit") or "").partition("/")
        if used.isdigit() and size.isdigit() and int(size) - int(used) <= 1:
            self.http.sleep(1.0)

    def _page(self, products: list[dict[str, Any]], next_cursor: str | None) -> Page:
        records: list[ProductRecord] = []
        for product in products:
            if self.excluded([product.get("product_type") or ""]):
                continue
            records.extend(self.map_product(product))
        return Page(records, next_cursor)

    # -- mapping --------------------------------------------------------------------------

    def map_product(self, product: Mapping[str, Any]) -> list[ProductRecord]:
        """One REST-shaped product to one record, or one per variant."""
        variants = product.get("variants") or []
        images = sorted(product.get("images") or [], key=lambda image: image.get("position") or 0)
        image_urls = web_urls([image.get("src") for image in images])
        stock = [v["inventory_quantity"] for v in variants if isinstance(v.get("inventory_quantity"), int)]
        colors = _option_values(product, COLOR_OPTIONS)
        base = {
            "name": product.get("title"),
            "description": text_of(product.get("body_html")),
            "brand": product.get("vendor"),
            "category": product.get("product_type"),
            "tags": [tag.strip() for tag in _tags(product.get("tags")) if tag.strip()],
            "url": self._url(product),
            "price": price_of(*sorted(price_of(v.get("price")) or 0 for v in variants)) if variants else None,
            "color_name": colors[0] if colors else None,
            "stock": sum(stock) if stock else None,
            "in_stock": (sum(stock) > 0) if stock else None,
            "colors": colors,
            "vendor": product.get("vendor"),
            "platform": "shopify",
        }
        updated = parse_time(product.get("updated_at"))
        if self.options.get("variants") != "each" or len(variants) < 2:
            base["variants"] = [_variant_summary(v) for v in variants[:50]]
            return [record(product["id"], self.pick_images(image_urls), base, updated)]
        by_id = {image.get("id"): image.get("src") for image in images}
        return [self._variant_record(product, v, base, image_urls, by_id, updated) for v in variants]

    def _variant_record(self, product, variant, base, image_urls, by_id, updated) -> ProductRecord:
        own = web_urls([by_id.get(variant.get("image_id")) or variant.get("image_src")])
        options = {name: value for name, value in _variant_options(product, variant)}
        color = next((value for name, value in options.items() if name.lower() in COLOR_OPTIONS), None)
        metadata = {
            **base,
            "name": f"{product.get('title')} - {variant.get('title')}",
            "price": price_of(variant.get("price")),
            "sku": variant.get("sku"),
            "options": options,
            "color_name": color or base["color_name"],
            "parent_id": str(product["id"]),
            "stock": variant.get("inventory_quantity"),
        }
        return record(
            f"{product['id']}-{variant['id']}",
            self.pick_images(own + image_urls),
            metadata,
            updated,
            group_id=product["id"],
        )

    def _url(self, product: Mapping[str, Any]) -> str | None:
        if product.get("online_store_url"):
            return product["online_store_url"]
        shop = self.options.get("storefront_url") or self.settings.shop_url
        return f"{shop.rstrip('/')}/products/{product['handle']}" if product.get("handle") else None

    # -- connection test and webhooks -----------------------------------------------------

    def check(self) -> list[Check]:
        checks: list[Check] = []
        try:
            response = self._send("GET", f"{self.settings.shop_url}/admin/oauth/access_scopes.json")
            scopes = {scope.get("handle") for scope in response.json().get("access_scopes") or []}
            checks.append(Check("credentials", True, "The access token is accepted."))
            if REQUIRED_SCOPE not in scopes and "write_products" not in scopes:
                checks.append(
                    Check(
                        "scopes",
                        False,
                        f"The token lacks the {REQUIRED_SCOPE} scope "
                        f"(it has: {', '.join(sorted(filter(None, scopes))) or 'none'}).",
                        "missing_scope",
                    )
                )
                return checks
            checks.append(Check("scopes", True, f"The token has {REQUIRED_SCOPE}."))
            self.fetch_page(None, None)
            checks.append(Check("products", True, f"Products can be listed through the {self.options['api']} API."))
        except ConnectorError as exc:
            checks.append(Check(_step(checks), False, exc.message, exc.reason))
        return checks

    def subscribe(self, webhook_url: str) -> list[str]:
        """``webhookSubscriptionCreate`` per product topic; "already taken" means already there."""
        for topic in WEBHOOK_TOPICS:
            result = self._graphql(SUBSCRIBE_MUTATION, {"topic": topic, "uri": webhook_url})[
                "webhookSubscriptionCreate"
            ]
            errors = [e["message"] for e in result.get("userErrors") or [] if "taken" not in e.get("message", "")]
            if errors:
                raise FatalError(f"Shopify refused the {topic} webhook: {errors[0]}", reason="webhook_refused")
        return list(WEBHOOK_TOPICS)

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        missing = [name for name in WEBHOOK_HEADERS if not headers.get(name)]
        if missing:
            raise WebhookFormatError(f"Missing Shopify webhook headers: {', '.join(missing)}.", field=missing[0])
        credentials = self.settings.credentials
        secrets = [credentials.get(name) for name in ("webhook_secret", "previous_webhook_secret", "client_secret")]
        if not signatures.verify(secrets, body, headers.get("X-Shopify-Hmac-Sha256")):
            raise SignatureError("X-Shopify-Hmac-Sha256 does not match the body.", field="X-Shopify-Hmac-Sha256")
        delivery = headers.get("X-Shopify-Event-Id") or headers["X-Shopify-Webhook-Id"]
        topic, product = headers["X-Shopify-Topic"], webhook_json(body)
        if topic == "products/delete" or (
            topic.startswith("products/") and product.get("status") not in (None, "active")
        ):
            return WebhookEvent(delivery, deletes=[str(product.get("id"))])
        if topic in ("products/create", "products/update"):
            return WebhookEvent(delivery, upserts=self.map_product(product))
        return WebhookEvent(delivery)


def _tags(tags: Any) -> list[str]:
    return tags.split(",") if isinstance(tags, str) else [str(tag) for tag in tags or []]


def _option_values(product: Mapping[str, Any], names: set[str]) -> list[str]:
    for option in product.get("options") or []:
        if str(option.get("name", "")).lower() in names:
            return [str(value) for value in option.get("values") or []]
    return []


def _variant_options(product: Mapping[str, Any], variant: Mapping[str, Any]) -> list[tuple[str, str]]:
    if variant.get("selected_options"):
        return [(o["name"], o["value"]) for o in variant["selected_options"]]
    names = [option.get("name") for option in product.get("options") or []]
    values = [variant.get(f"option{i}") for i in (1, 2, 3)]
    return [(name, value) for name, value in zip(names, values, strict=False) if name and value]


def _variant_summary(variant: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": str(variant.get("id")),
        "title": variant.get("title"),
        "sku": variant.get("sku") or None,
        "price": price_of(variant.get("price")),
    }


def _step(checks: list[Check]) -> str:
    return ("credentials", "scopes", "products")[min(len(checks), 2)]
