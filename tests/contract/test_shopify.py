"""Shopify Admin API (REST and GraphQL) against a loopback server, and its webhooks."""

from __future__ import annotations

import json

import pytest

from connectors.signatures import sign, verify
from tests.platform_catalogs import shopify_products
from tests.platforms import SHOPIFY_KEYS, FakeShopifyGraphql, FakeShopifyRest, fixture


def _connector(merchant, server, **options):
    created = merchant.connect("shopify", server.url_for("").rstrip("/"), SHOPIFY_KEYS, options=options)
    row = merchant.services.connectors.get(merchant.account.account_id, created["id"])
    return created, merchant.services.connectors.connector(row)


def test_recorded_rest_listing_maps_variants_images_tags_and_vendor(merchant, server):
    FakeShopifyRest(server, fixture("shopify/ruby_rest_2026-07__GET_products.json")["products"])
    _, connector = _connector(merchant, server, api="rest")
    page = connector.fetch_page(None, None)
    records = {record.product_id: record.payload for record in page.records}
    ipod = records["632910392"]
    assert ipod["metadata"]["name"] == "IPod Nano - 8GB"
    assert ipod["metadata"]["brand"] == "Apple" and ipod["metadata"]["price"] == 199.0
    assert ipod["metadata"]["tags"] == ["Emotive", "Flash Memory", "MP3", "Music"]
    assert ipod["metadata"]["color_name"] == "Pink"
    assert not ipod["metadata"]["description"].startswith("<p>")
    # three images, two of them the same file: indexed once
    assert len(ipod["image_urls"]) == 2 and ipod["image_urls"][0].startswith("https://cdn.shopify.com/")
    assert records["921728736"]["image_urls"] == []  # "image": null, "images": []


def test_variants_each_become_a_product_with_their_own_photo(merchant, server):
    FakeShopifyRest(server, fixture("shopify/ruby_rest_2026-07__GET_products.json")["products"])
    _, connector = _connector(merchant, server, api="rest", variants="each")
    records = {r.product_id: r for r in connector.fetch_page(None, None).records}
    pink = records["632910392-808950810"]
    assert pink.group_id == "632910392"
    assert pink.payload["metadata"]["name"] == "IPod Nano - 8GB - Pink"
    assert pink.payload["image_urls"][0].endswith("ipod-nano-2.png?v=1735835399")  # via variant.image_id


def test_graphql_full_sync_pages_by_cursor_and_waits_out_a_throttle(merchant, server, sleeps, photos):
    products = shopify_products(250, image=lambda i: photos.url(photos.names()[i % 3]) if i < 3 else None)
    shop = FakeShopifyGraphql(server, products)
    throttled = fixture("shopify/community__graphql_throttled_response.json")
    shop.faults[2] = (200, {})  # replaced below by the recorded THROTTLED body
    original = shop.respond

    def respond(request, calls=[0]):  # noqa: B006 - a counter local to this test
        calls[0] += 1
        if calls[0] == 2:
            return shop.json(throttled)
        return original(request)

    shop.faults.clear()
    shop.respond = respond
    created, _ = _connector(merchant, server)
    run = merchant.sync(created["id"])
    assert run["status"] == "succeeded", run
    assert (run["seen"], run["created"], run["pages"]) == (250, 250, 3)
    cost = throttled["extensions"]["cost"]
    status = cost["throttleStatus"]
    assert sleeps == [
        pytest.approx((cost["requestedQueryCost"] - status["currentlyAvailable"]) / status["restoreRate"])
    ]
    product = merchant.products()["1000"]
    assert product.images and product.brand == "Acme"


def test_rest_pages_follow_the_link_header_verbatim(merchant, server):
    shop = FakeShopifyRest(server, shopify_products(120))
    created, _ = _connector(merchant, server, api="rest", page_size=50)
    run = merchant.sync(created["id"])
    assert (run["status"], run["seen"], run["pages"]) == ("succeeded", 120, 3)
    assert "page_info" in shop.log[1]["args"] and set(shop.log[1]["args"]) == {"limit", "page_info"}


@pytest.mark.parametrize(
    "vector",
    [v for v in fixture("webhook_signature_vectors.json")["vectors"]],
    ids=lambda v: v["id"],
)
def test_published_signature_vectors(vector):
    body = vector["raw_body"].encode()
    assert sign(vector["secret"], body) == vector["expected_base64"]
    assert verify(["wrong", vector["secret"]], body, vector["expected_base64"])
    assert not verify(["wrong"], body, vector["expected_base64"])


def _webhook(client, connector_id, body: bytes, secret="shopify-app-secret", **headers):
    sent = {
        "X-Shopify-Topic": "products/update",
        "X-Shopify-Hmac-Sha256": sign(secret, body),
        "X-Shopify-Shop-Domain": "shop1.myshopify.io",
        "X-Shopify-Webhook-Id": "b54557e4",
        "X-Shopify-API-Version": "2026-01",
        "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
        **headers,
    }
    return client.post(
        f"/v1/connectors/{connector_id}/webhooks/shopify", data=body, headers=sent, content_type="application/json"
    )


def _product_body(title: str) -> bytes:
    product = fixture("shopify/ruby_rest_2026-07__GET_product_632910392.json")["product"]
    product.update(title=title, images=[], image=None)
    return json.dumps(product).encode()


def test_webhook_with_valid_signature_updates_once_per_event(merchant, server, client):
    created, _ = _connector(merchant, server)
    response = _webhook(client, created["id"], _product_body("Nano, updated"))
    assert response.status_code == 200 and response.json["status"] == "accepted"
    merchant.services.syncs.wait_idle()
    assert merchant.products()["632910392"].name == "Nano, updated"
    again = _webhook(client, created["id"], _product_body("Nano, redelivered"))
    merchant.services.syncs.wait_idle()
    assert again.json["status"] == "duplicate"
    assert merchant.products()["632910392"].name == "Nano, updated"


def test_webhook_with_a_bad_signature_gets_401_and_changes_nothing(merchant, server, client):
    created, _ = _connector(merchant, server)
    response = _webhook(client, created["id"], _product_body("Forged"), secret="not-the-secret")
    assert response.status_code == 401 and response.json["field"] == "X-Shopify-Hmac-Sha256"
    body = _product_body("Tampered")
    tampered = _webhook(
        client, created["id"], body, **{"X-Shopify-Hmac-Sha256": sign("shopify-app-secret", body + b" ")}
    )
    merchant.services.syncs.wait_idle()
    assert tampered.status_code == 401
    assert merchant.products() == {}


def test_webhook_without_its_headers_gets_400(merchant, server, client):
    created, _ = _connector(merchant, server)
    body = _product_body("x")
    response = client.post(
        f"/v1/connectors/{created['id']}/webhooks/shopify",
        data=body,
        headers={"X-Shopify-Hmac-Sha256": sign("shopify-app-secret", body)},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json["field"] == "X-Shopify-Topic"


def test_delete_webhook_removes_the_product(merchant, server, client):
    created, _ = _connector(merchant, server)
    _webhook(client, created["id"], _product_body("Nano"))
    merchant.services.syncs.wait_idle()
    body = json.dumps({"id": 632910392}).encode()
    _webhook(client, created["id"], body, **{"X-Shopify-Topic": "products/delete", "X-Shopify-Event-Id": "e2"})
    merchant.services.syncs.wait_idle()
    assert merchant.products() == {}


def test_graphql_reads_every_variant_of_a_product_with_more_than_100(merchant, server):
    [product] = shopify_products(1)
    product["variants"] = [
        {"id": 9000 + i, "title": f"Size {i}", "price": "5.00", "sku": f"S{i}", "inventory_quantity": 1}
        for i in range(300)
    ]
    shop = FakeShopifyGraphql(server, [product])
    _, connector = _connector(merchant, server, variants="each")
    records = connector.fetch_page(None, None).records
    assert len(records) == 300 and len({r.product_id for r in records}) == 300
    assert sum(b"product(id:" in entry["body"] for entry in shop.log) == 1  # one more page of 250


def test_client_credentials_token_is_granted_then_renewed_on_401(merchant, server):
    shop = FakeShopifyRest(server, shopify_products(3))
    created = merchant.connect(
        "shopify",
        server.url_for("").rstrip("/"),
        {"client_id": "app-id", "client_secret": "app-secret"},
        options={"api": "rest"},
    )
    connector = merchant.services.connectors.connector(
        merchant.services.connectors.get(merchant.account.account_id, created["id"])
    )
    assert len(connector.fetch_page(None, None).records) == 3 and shop.grants == 1
    shop.token = "revoked-by-shopify"  # the granted token expired
    assert len(connector.fetch_page(None, None).records) == 3 and shop.grants == 2


def test_rest_incremental_sync_asks_for_updated_at_min(merchant, server):
    shop = FakeShopifyRest(server, shopify_products(10))
    created, _ = _connector(merchant, server, api="rest")
    merchant.sync(created["id"])
    shop.products[3]["title"] = "Changed hat"
    shop.products[3]["updated_at"] = "2026-02-01T00:00:00+00:00"
    shop.log.clear()
    run = merchant.sync(created["id"], "incremental")
    assert shop.log[0]["args"]["updated_at_min"].startswith("2026-01-01T00:04:00")  # bookmark minus 5 min
    assert (run["updated"], run["unchanged"]) == (1, 6)  # minutes 4-9 are inside the overlap
    assert merchant.products()["1003"].name == "Changed hat"


def test_a_delayed_older_webhook_does_not_overwrite_a_newer_one(merchant, server, client):
    created, _ = _connector(merchant, server)
    newer = json.loads(_product_body("Nano, newest"))
    newer["updated_at"] = "2026-03-02T10:00:00-05:00"
    older = {**newer, "title": "Nano, older", "updated_at": "2026-03-01T10:00:00-05:00"}
    _webhook(client, created["id"], json.dumps(newer).encode(), **{"X-Shopify-Event-Id": "new"})
    merchant.services.syncs.wait_idle()
    late = _webhook(client, created["id"], json.dumps(older).encode(), **{"X-Shopify-Event-Id": "old"})
    merchant.services.syncs.wait_idle()
    assert late.status_code == 200
    assert merchant.products()["632910392"].name == "Nano, newest"


def test_graphql_waits_for_the_cost_bucket_before_it_runs_dry(merchant, server, sleeps):
    shop = FakeShopifyGraphql(server, shopify_products(30))
    shop.available = 12  # each query asks for 52 points; 100 come back per second
    _, connector = _connector(merchant, server, page_size=10)
    connector.fetch_page(None, None)
    assert sleeps == [pytest.approx(0.4)]


def test_webhooks_keep_one_product_per_variant_in_step(merchant, server, client):
    created, _ = _connector(merchant, server, variants="each")
    product = json.loads(_product_body("Nano"))
    _webhook(client, created["id"], json.dumps(product).encode(), **{"X-Shopify-Event-Id": "v1"})
    merchant.services.syncs.wait_idle()
    assert len(merchant.products()) == 4
    product["variants"] = product["variants"][:2]  # two variants were removed in the shop
    product["updated_at"] = "2027-01-01T00:00:00-05:00"
    _webhook(client, created["id"], json.dumps(product).encode(), **{"X-Shopify-Event-Id": "v2"})
    merchant.services.syncs.wait_idle()
    assert sorted(merchant.products()) == sorted(f"632910392-{v['id']}" for v in product["variants"])
    gone = json.dumps({"id": 632910392}).encode()
    _webhook(client, created["id"], gone, **{"X-Shopify-Topic": "products/delete", "X-Shopify-Event-Id": "v3"})
    merchant.services.syncs.wait_idle()
    assert merchant.products() == {}
