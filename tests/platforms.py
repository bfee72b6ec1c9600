"""Fake shop platforms on a real loopback HTTP server, for connector tests and the benchmark.

Each fake serves its platform's listing in the platform's own shape (recorded fixtures, or
generated catalogs of any size), pages it the platform's way, and can inject faults (a 429 with
``Retry-After``, a 502) at chosen request numbers. Every request is logged, so tests can prove
that a resumed sync did not read a committed page twice.
"""

from __future__ import annotations

import base64
import hmac
import json
import math
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from werkzeug import Request, Response

from connectors.signatures import oauth1_signature

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "platforms"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class FakeShop:
    """The common part: request log, fault injection, product storage, URL of the server."""

    def __init__(self, server, products: list[dict[str, Any]]):
        self.server = server
        self.products = products
        self.faults: dict[int, tuple[int, dict[str, str]]] = {}  # request number -> (status, headers)
        self.log: list[dict[str, Any]] = []
        self.fail_after: int | None = None  # requests beyond this many get 500 (a platform outage)
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def fault(self, request_number: int, status: int, **headers: str) -> None:
        self.faults[request_number] = (status, headers)

    def handle(self, request: Request) -> Response:
        with self._lock:
            number = len(self.log) + 1
            self.log.append({"path": request.path, "args": request.args.to_dict(), "body": request.get_data()})
        if number in self.faults:
            status, headers = self.faults.pop(number)
            return Response(
                json.dumps({"errors": "injected"}), status=status, headers=headers, content_type="application/json"
            )
        if self.fail_after is not None and number > self.fail_after:
            return Response("outage", status=500)
        return self.respond(request)

    def respond(self, request: Request) -> Response:
        raise NotImplementedError

    def register(self, pattern: str, method: str = "GET") -> None:
        self.server.expect_request(re.compile(pattern), method=method).respond_with_handler(self.handle)

    @staticmethod
    def json(body: Any, **headers: str) -> Response:
        return Response(json.dumps(body), content_type="application/json", headers=headers)


class FakeWooCommerce(FakeShop):
    def __init__(self, server, products, variations: dict[int, list[dict]] | None = None):
        super().__init__(server, products)
        self.variations = variations or {}
        self.webhooks: list[dict[str, Any]] = []
        self.register(r"^/wp-json/wc/v3/webhooks$")
        self.register(r"^/wp-json/wc/v3/webhooks$", method="POST")
        self.register(r"^/wp-json/wc/v3/products(/\d+)?$")
        self.register(r"^/wp-json/wc/v3/products/\d+/variations$")

    def handle(self, request: Request) -> Response:
        """Over plain HTTP WooCommerce accepts only OAuth 1.0a signed requests: check them the
        way it does, from the URL as requested and every query parameter."""
        if not request.authorization:
            params = request.args.to_dict()
            signature = params.pop("oauth_signature", "")
            url = f"{self.url}{request.path}"
            expected = oauth1_signature(request.method, url, params, WOO_SECRET)
            if not hmac.compare_digest(signature, expected):
                return Response('{"code": "woocommerce_rest_authentication_error"}', status=401)
        return super().handle(request)

    def respond(self, request):
        if request.path.endswith("/webhooks"):
            if request.method == "POST":
                self.webhooks.append(
                    {**json.loads(request.get_data()), "id": len(self.webhooks) + 1, "status": "active"}
                )
            return self.json(self.webhooks)
        if request.path.endswith("/variations"):
            return self.json(self.variations.get(int(request.path.split("/")[-2]), []))
        if re.search(r"/products/\d+$", request.path):
            wanted = int(request.path.rsplit("/", 1)[1])
            return self.json(next(p for p in self.products if p["id"] == wanted))
        page, per_page = int(request.args.get("page", 1)), int(request.args.get("per_page", 10))
        listed = sorted(self._visible(request.args.get("modified_after")), key=lambda p: p["id"])
        pages = max(math.ceil(len(listed) / per_page), 1)
        chunk = listed[(page - 1) * per_page : page * per_page]
        return self.json(chunk, **{"X-WP-Total": str(len(listed)), "X-WP-TotalPages": str(pages)})

    def _visible(self, modified_after: str | None) -> list[dict[str, Any]]:
        if not modified_after:
            return self.products
        since = datetime.fromisoformat(modified_after).replace(tzinfo=UTC)
        return [p for p in self.products if datetime.fromisoformat(p["date_modified_gmt"]).replace(tzinfo=UTC) > since]


class FakeShopifyRest(FakeShop):
    def __init__(self, server, products, scopes=("read_products",)):
        super().__init__(server, products)
        self.scopes = list(scopes)
        self.token: str | None = None  # when set, any other token gets 401
        self.grants = 0
        self.register(r"^/admin/oauth/access_scopes\.json$")
        self.register(r"^/admin/oauth/access_token$", method="POST")
        self.register(r"^/admin/api/[\w-]+/products\.json$")

    def handle(self, request: Request) -> Response:
        if request.path.endswith("/access_token"):
            self.grants += 1
            self.token = f"granted-{self.grants}"
            return self.json({"access_token": self.token, "scope": "read_products", "expires_in": 86399})
        if self.token is not None and request.headers.get("X-Shopify-Access-Token") != self.token:
            return Response("[API] Invalid API key or access token", status=401)
        return super().handle(request)

    def respond(self, request):
        if request.path.endswith("access_scopes.json"):
            return self.json({"access_scopes": [{"handle": scope} for scope in self.scopes]})
        limit = int(request.args.get("limit", 50))
        if "page_info" in request.args:
            state = json.loads(base64.urlsafe_b64decode(request.args["page_info"]))
        else:
            state = {"offset": 0, "since": request.args.get("updated_at_min")}
        listed = self._visible(state["since"])
        chunk = listed[state["offset"] : state["offset"] + limit]
        headers = {"X-Shopify-Shop-Api-Call-Limit": "1/40"}
        if state["offset"] + limit < len(listed):
            token = base64.urlsafe_b64encode(json.dumps({**state, "offset": state["offset"] + limit}).encode())
            headers["Link"] = f'<{self.url}{request.path}?limit={limit}&page_info={token.decode()}>; rel="next"'
        return self.json({"products": chunk}, **headers)

    def _visible(self, since: str | None) -> list[dict[str, Any]]:
        if not since:
            return self.products
        moment = datetime.fromisoformat(since)
        return [p for p in self.products if datetime.fromisoformat(p["updated_at"]) >= moment]


class FakeShopifyGraphql(FakeShopifyRest):
    """GraphQL Admin: ``products(first, after, query)`` with base64 offset cursors."""

    def __init__(self, server, products, scopes=("read_products",)):
        super().__init__(server, products, scopes)
        self.subscriptions: set[tuple[str, str]] = set()
        self.available = 1988  # points left in the cost bucket after each query
        self.register(r"^/admin/api/[\w-]+/graphql\.json$", method="POST")

    def respond(self, request):
        if not request.path.endswith("graphql.json"):
            return super().respond(request)
        body = json.loads(request.get_data())
        variables = body["variables"]
        if "product(id:" in body["query"]:
            return self._variants(variables)
        if "webhookSubscriptionCreate" in body["query"]:
            return self._subscribe(variables)
        offset = int(base64.b64decode(variables["after"])) if variables.get("after") else 0
        match = re.search(r"updated_at:>'([^']+)'", variables.get("query") or "")
        listed = self._visible(match.group(1) if match else None)
        chunk = listed[offset : offset + variables["first"]]
        more = offset + variables["first"] < len(listed)
        end = base64.b64encode(str(offset + len(chunk)).encode()).decode()
        data = {
            "products": {"pageInfo": {"hasNextPage": more, "endCursor": end}, "nodes": [graphql_node(p) for p in chunk]}
        }
        cost = {
            "requestedQueryCost": 52,
            "actualQueryCost": 12,
            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": self.available, "restoreRate": 100.0},
        }
        return self.json({"data": data, "extensions": {"cost": cost}})

    def _subscribe(self, variables: dict[str, Any]) -> Response:
        taken = (variables["topic"], variables["uri"]) in self.subscriptions
        self.subscriptions.add((variables["topic"], variables["uri"]))
        errors = [
            {
                "field": ["webhookSubscription", "callbackUrl"],
                "message": "Address for this topic has already been taken",
            }
        ]
        result = {
            "webhookSubscription": None if taken else {"id": "gid://shopify/WebhookSubscription/1"},
            "userErrors": errors if taken else [],
        }
        return self.json({"data": {"webhookSubscriptionCreate": result}})

    def _variants(self, variables: dict[str, Any]) -> Response:
        product_id = int(variables["id"].rsplit("/", 1)[1])
        product = next(p for p in self.products if p["id"] == product_id)
        offset = int(variables["after"])
        chunk = graphql_variants(product)[offset : offset + 250]
        info = {"hasNextPage": offset + 250 < len(product["variants"]), "endCursor": str(offset + len(chunk))}
        return self.json({"data": {"product": {"variants": {"pageInfo": info, "nodes": chunk}}}})


def graphql_variants(product: dict[str, Any]) -> list[dict[str, Any]]:
    images = {image["id"]: image["src"] for image in product.get("images") or []}
    return [
        {
            "legacyResourceId": str(v["id"]),
            "title": v.get("title"),
            "sku": v.get("sku"),
            "price": v.get("price"),
            "compareAtPrice": v.get("compare_at_price"),
            "inventoryQuantity": v.get("inventory_quantity"),
            "selectedOptions": [],
            "image": {"url": images[v["image_id"]]} if v.get("image_id") in images else None,
        }
        for v in product.get("variants") or []
    ]


def graphql_node(product: dict[str, Any]) -> dict[str, Any]:
    """A REST-shaped product as the GraphQL Admin API would return it."""
    images = {image["id"]: image["src"] for image in product.get("images") or []}
    return {
        "id": f"gid://shopify/Product/{product['id']}",
        "legacyResourceId": str(product["id"]),
        "handle": product.get("handle"),
        "title": product["title"],
        "descriptionHtml": product.get("body_html"),
        "vendor": product.get("vendor"),
        "productType": product.get("product_type"),
        "tags": [t.strip() for t in (product.get("tags") or "").split(",") if t.strip()],
        "status": (product.get("status") or "active").upper(),
        "updatedAt": product.get("updated_at"),
        "onlineStoreUrl": None,
        "options": [{"name": o["name"], "values": o.get("values", [])} for o in product.get("options") or []],
        "media": {
            "nodes": [{"id": f"gid://shopify/MediaImage/{i}", "image": {"url": src}} for i, src in images.items()]
        },
        "variants": {
            "pageInfo": {"hasNextPage": len(product.get("variants") or []) > 100, "endCursor": "100"},
            "nodes": graphql_variants(product)[:100],
        },
    }


class FakeCsCart(FakeShop):
    def __init__(self, server, products, categories=None, base="/api/2.0"):
        super().__init__(server, products)
        self.categories = categories or [{"category_id": "224", "category": "Pants"}]
        self.register(rf"^{re.escape(base)}/products(/\d+)?$")
        self.register(rf"^{re.escape(base)}/categories$")

    def respond(self, request):
        if request.path.endswith("/categories"):
            return self.json({"categories": self.categories, "params": {"total_items": str(len(self.categories))}})
        if re.search(r"/products/\d+$", request.path):
            wanted = request.path.rsplit("/", 1)[1]
            return self.json(next(p for p in self.products if p["product_id"] == wanted))
        page, size = int(request.args.get("page", 1)), int(request.args.get("items_per_page", 10))
        listed = self.products
        if "company_id" in request.args:
            listed = [p for p in listed if p.get("company_id") == request.args["company_id"]]
        if request.args.get("sort_by") == "updated_timestamp":
            listed = sorted(listed, key=lambda p: -int(p["updated_timestamp"]))
        if "updated_in_hours" in request.args:
            cutoff = datetime.now(UTC).timestamp() - int(request.args["updated_in_hours"]) * 3600
            listed = [p for p in listed if int(p["updated_timestamp"]) >= cutoff]
        chunk = listed[(page - 1) * size : page * size]
        params = {"items_per_page": size, "page": page, "total_items": str(len(listed))}
        return self.json({"products": chunk, "params": params})


WOO_SECRET = "cs_test"
WOO_KEYS = {"consumer_key": "ck_test", "consumer_secret": WOO_SECRET, "webhook_secret": "woo-hook-secret"}
SHOPIFY_KEYS = {"access_token": "shpat_test_token", "webhook_secret": "shopify-app-secret"}
CSCART_KEYS = {"email": "admin@example.com", "api_key": "cs-api-key", "webhook_secret": "cscart-hook-secret"}
