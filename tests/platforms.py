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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from werkzeug import Request, Response

from bridge import create_app
from connectors.signatures import oauth1_signature
from tests.conftest import ImageServer, app_settings

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "platforms"
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


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
            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1988, "restoreRate": 100.0},
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


# -- generated catalogs, in each platform's shape --------------------------------------------


def woo_products(count: int, image: Callable[[int], str | None] = lambda i: None, start: int = 1) -> list[dict]:
    return [
        {
            "id": start + i,
            "name": f"Woo product {start + i}",
            "type": "simple",
            "status": "publish",
            "permalink": f"https://woo.example/p/{start + i}",
            "description": f"<p>Cotton <b>shirt</b> number {start + i}</p>",
            "price": f"{10 + i % 50}.50",
            "regular_price": f"{10 + i % 50}.50",
            "stock_status": "instock",
            "stock_quantity": i % 7,
            "categories": [{"id": 9, "name": "Clothing", "slug": "clothing"}],
            "tags": [{"id": 1, "name": "cotton", "slug": "cotton"}],
            "images": [{"id": i, "src": image(i)}] if image(i) else [],
            "attributes": [{"id": 1, "name": "Color", "options": ["Blue"]}],
            "date_modified_gmt": (EPOCH + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%S"),
        }
        for i in range(count)
    ]


def shopify_products(count: int, image: Callable[[int], str | None] = lambda i: None) -> list[dict]:
    return [
        {
            "id": 1000 + i,
            "title": f"Shopify product {i}",
            "body_html": "<p>Soft <em>wool</em> hat</p>",
            "vendor": "Acme",
            "product_type": "Hats",
            "handle": f"hat-{i}",
            "status": "active",
            "tags": "wool, winter",
            "updated_at": (EPOCH + timedelta(minutes=i)).isoformat(),
            "options": [{"name": "Color", "values": ["Red"]}],
            "images": [{"id": 1, "src": image(i), "position": 1}] if image(i) else [],
            "variants": [
                {
                    "id": 5000 + i,
                    "title": "Red",
                    "price": f"{20 + i % 9}.00",
                    "sku": f"HAT-{i}",
                    "inventory_quantity": 3,
                    "option1": "Red",
                }
            ],
        }
        for i in range(count)
    ]


def cscart_products(count: int, image: Callable[[int], str | None] = lambda i: None) -> list[dict]:
    now = int(datetime.now(UTC).timestamp())
    return [
        {
            "product_id": str(100 + i),
            "product": f"CS-Cart product {i}",
            "product_code": f"CS{i:05d}",
            "status": "A",
            "company_id": str(1 + i % 2),
            "price": f"{30 + i % 11}.000000",
            "amount": "5",
            "timestamp": str(now - 86400 * 30 + i),
            "updated_timestamp": str(now - 86400 * 10 + i),
            "category_ids": [224],
            "main_category": 224,
            "parent_product_id": "0",
            "main_pair": {"detailed": {"image_path": image(i)}} if image(i) else [],
            "image_pairs": [],
            "product_features": [],
        }
        for i in range(count)
    ]


def form(body: bytes) -> dict[str, list[str]]:
    return parse_qs(body.decode())


# -- fixtures and helpers shared by tests/connectors and tests/contract ------------------------


@pytest.fixture
def sleeps() -> list[float]:
    """Every pause the connectors asked for; nothing really sleeps."""
    return []


@pytest.fixture
def app(tmp_path, clock, sleeps):
    app = create_app(app_settings(tmp_path / "var", CLOCK=clock, CONNECTOR_SLEEP=sleeps.append))
    yield app
    app.extensions["bridge"].close()


@pytest.fixture
def photos(server) -> ImageServer:
    """Product photos on the same threaded loopback server as the fake platform."""
    return ImageServer(server)


class Merchant:
    """An account that sets up connectors and syncs them through the public HTTP API."""

    def __init__(self, client, services, account):
        self.client, self.services, self.account = client, services, account

    def connect(self, platform: str, shop_url: str, credentials: dict, **extra) -> dict:
        body = {"platform": platform, "shop_url": shop_url, "credentials": credentials, **extra}
        response = self.client.post("/v1/connectors", json=body, headers=self.account.headers)
        assert response.status_code == 201, response.json
        return response.json

    def sync(self, connector_id: str, mode: str = "full") -> dict:
        response = self.client.post(
            f"/v1/connectors/{connector_id}/sync", json={"mode": mode}, headers=self.account.headers
        )
        assert response.status_code == 202, response.json
        self.services.syncs.wait_idle()
        return self.run(connector_id, response.json["id"])

    def run(self, connector_id: str, run_id: str) -> dict:
        return self.client.get(f"/v1/connectors/{connector_id}/runs/{run_id}", headers=self.account.headers).json

    def products(self) -> dict[str, Any]:
        catalog = self.services.catalog
        page = catalog.page(self.account.account_id, None, 1, 100)
        rows = list(page["products"])
        for number in range(2, page["pages"] + 1):
            rows += catalog.page(self.account.account_id, None, number, 100)["products"]
        return {row.product_id: row for row in rows}

    def failed_items(self, connector_id: str) -> list[dict]:
        response = self.client.get(
            f"/v1/connectors/{connector_id}/failed-items?per_page=100", headers=self.account.headers
        )
        return response.json["failed_items"]


@pytest.fixture
def merchant(client, services, auth) -> Merchant:
    return Merchant(client, services, auth.account())


WOO_SECRET = "cs_test"
WOO_KEYS = {"consumer_key": "ck_test", "consumer_secret": WOO_SECRET, "webhook_secret": "woo-hook-secret"}
SHOPIFY_KEYS = {"access_token": "shpat_test_token", "webhook_secret": "shopify-app-secret"}
CSCART_KEYS = {"email": "admin@example.com", "api_key": "cs-api-key", "webhook_secret": "cscart-hook-secret"}
