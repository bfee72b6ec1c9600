"""The connectors API: secrets never come back, bad input names its field, tenants stay apart."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bridge.connections.models import Connector
from tests.platform_catalogs import woo_products
from tests.platforms import SHOPIFY_KEYS, WOO_KEYS, FakeShopifyGraphql, FakeWooCommerce

SECRETS = (*WOO_KEYS.values(), *SHOPIFY_KEYS.values())


def _assert_no_secret(response) -> None:
    text = response.get_data(as_text=True)
    assert not [secret for secret in SECRETS if secret in text], text


def test_credentials_never_appear_in_any_response(merchant, client, server):
    FakeWooCommerce(server, woo_products(3))
    headers = merchant.account.headers
    created = client.post(
        "/v1/connectors",
        headers=headers,
        json={
            "platform": "woocommerce",
            "shop_url": server.url_for(""),
            "credentials": WOO_KEYS,
            "schedule": {"interval_minutes": 60},
        },
    )
    assert created.status_code == 201
    assert created.json["credentials_set"] == ["consumer_key", "consumer_secret", "webhook_secret"]
    connector_id = created.json["id"]
    merchant.sync(connector_id)
    responses = [
        created,
        client.get("/v1/connectors", headers=headers),
        client.get(f"/v1/connectors/{connector_id}", headers=headers),
        client.patch(
            f"/v1/connectors/{connector_id}", headers=headers, json={"credentials": {"consumer_secret": "cs_new"}}
        ),
        client.post(f"/v1/connectors/{connector_id}/test", headers=headers),
        client.get(f"/v1/connectors/{connector_id}/runs", headers=headers),
        client.get(f"/v1/connectors/{connector_id}/failed-items", headers=headers),
        client.get("/openapi.json"),
    ]
    for response in responses:
        assert response.status_code < 300, response.json
        _assert_no_secret(response)
        assert "cs_new" not in response.get_data(as_text=True)


def test_credentials_are_encrypted_at_rest(merchant, services):
    created = merchant.connect("woocommerce", "https://shop.example", WOO_KEYS)
    with services.db.transaction() as session:
        stored = session.scalar(select(Connector.credentials).where(Connector.id == created["id"]))
    assert not [secret for secret in WOO_KEYS.values() if secret in stored]
    row = services.connectors.get(merchant.account.account_id, created["id"])
    assert services.connectors.connector(row).settings.credentials["consumer_secret"] == "cs_test"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "magento", "shop_url": "https://x.example"}, "platform"),
        ({"platform": "shopify", "shop_url": "https://x.example", "credentials": {}}, "credentials.access_token"),
        (
            {
                "platform": "woocommerce",
                "shop_url": "https://x.example",
                "credentials": {**WOO_KEYS, "consumer_key": "nope"},
            },
            "credentials.consumer_key",
        ),
        (
            {
                "platform": "woocommerce",
                "shop_url": "https://x.example",
                "credentials": WOO_KEYS,
                "options": {"page_size": 500},
            },
            "options.page_size",
        ),
        (
            {
                "platform": "woocommerce",
                "shop_url": "https://x.example",
                "credentials": WOO_KEYS,
                "options": {"colour": "red"},
            },
            "options.colour",
        ),
        ({"platform": "woocommerce", "shop_url": "ftp://x.example", "credentials": WOO_KEYS}, "shop_url"),
        ({"platform": "woocommerce", "credentials": WOO_KEYS}, "shop_url"),
        (
            {
                "platform": "woocommerce",
                "shop_url": "https://x.example",
                "credentials": WOO_KEYS,
                "schedule": {"cron": "every day"},
            },
            "schedule.cron",
        ),
        (
            {
                "platform": "woocommerce",
                "shop_url": "https://x.example",
                "credentials": WOO_KEYS,
                "schedule": {"interval_minutes": 1},
            },
            "schedule.interval_minutes",
        ),
        ({"shop_url": "https://x.example"}, "platform"),
    ],
)
def test_bad_input_gets_422_naming_the_field(merchant, client, body, field):
    response = client.post("/v1/connectors", headers=merchant.account.headers, json=body)
    assert response.status_code == 422, response.json
    assert response.json["field"] == field


def test_bad_sync_and_file_requests_name_their_field(merchant, client):
    connector = merchant.connect("file", "", {})
    headers = merchant.account.headers
    sync = client.post(f"/v1/connectors/{connector['id']}/sync", headers=headers, json={"mode": "sideways"})
    assert sync.status_code == 422 and sync.json["field"] == "mode"
    upload = client.post(
        f"/v1/connectors/{connector['id']}/files?format=xml", headers=headers, data=b"x", content_type="text/csv"
    )
    assert upload.status_code == 422 and upload.json["field"] == "format"


def test_another_account_cannot_see_or_sync_a_connector(merchant, client, auth):
    connector = merchant.connect("woocommerce", "https://shop.example", WOO_KEYS)
    other = auth.account(email="other@shop.test")
    for response in (
        client.get(f"/v1/connectors/{connector['id']}", headers=other.headers),
        client.post(f"/v1/connectors/{connector['id']}/sync", headers=other.headers, json={}),
        client.delete(f"/v1/connectors/{connector['id']}", headers=other.headers),
    ):
        assert response.status_code == 404
    assert client.get("/v1/connectors", headers=other.headers).json == {"connectors": []}


def test_connector_endpoints_need_a_token_but_webhooks_do_not(merchant, client):
    connector = merchant.connect("woocommerce", "https://shop.example", WOO_KEYS)
    assert client.get("/v1/connectors").status_code == 401
    ping = client.post(
        f"/v1/connectors/{connector['id']}/webhooks/woocommerce",
        data=b"webhook_id=1",
        content_type="application/x-www-form-urlencoded",
    )
    assert ping.status_code == 200
    wrong = client.post(
        f"/v1/connectors/{connector['id']}/webhooks/shopify", data=b"{}", content_type="application/json"
    )
    assert wrong.status_code == 404


def test_platforms_describe_their_fields(merchant, client):
    response = client.get("/v1/connectors/platforms", headers=merchant.account.headers)
    platforms = {p["platform"]: p for p in response.json["platforms"]}
    assert set(platforms) == {"cscart", "shopify", "woocommerce", "file"}
    fields = {f["name"]: f for f in platforms["shopify"]["options"]}
    assert fields["api"]["choices"] == ["graphql", "rest"] and fields["variants"]["default"] == "parent"
    assert platforms["woocommerce"]["webhook_signature_header"] == "X-WC-Webhook-Signature"


def test_patch_merges_options_and_delete_keeps_the_products(merchant, client, server):
    FakeWooCommerce(server, woo_products(2))
    connector = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS, options={"page_size": 50})
    merchant.sync(connector["id"])
    headers = merchant.account.headers
    shown = client.get(f"/v1/connectors/{connector['id']}", headers=headers).json
    assert shown["last_run"]["status"] == "succeeded" and shown["last_run"]["created"] == 2
    assert shown["failed_items"] == 0
    patched = client.patch(
        f"/v1/connectors/{connector['id']}",
        headers=headers,
        json={"options": {"images": "main"}, "schedule": {"cron": "0 3 * * *"}},
    )
    assert patched.status_code == 200, patched.json
    assert patched.json["options"]["page_size"] == 50 and patched.json["options"]["images"] == "main"
    deleted = client.delete(f"/v1/connectors/{connector['id']}", headers=headers)
    assert deleted.status_code == 200 and deleted.json == {"status": "deleted", "connector_id": connector["id"]}
    assert len(merchant.products()) == 2
    assert json.loads(client.get("/v1/connectors", headers=headers).data) == {"connectors": []}


def test_subscribing_registers_every_product_topic_once(merchant, client, server):
    shop = FakeShopifyGraphql(server, [])
    shopify = merchant.connect("shopify", server.url_for("").rstrip("/"), SHOPIFY_KEYS)
    for _ in range(2):  # the second time every topic is "already taken": still fine
        response = client.post(f"/v1/connectors/{shopify['id']}/webhooks", headers=merchant.account.headers)
        assert response.json["ok"], response.json
    assert {topic for topic, _ in shop.subscriptions} == {"PRODUCTS_CREATE", "PRODUCTS_UPDATE", "PRODUCTS_DELETE"}
    assert {uri for _, uri in shop.subscriptions} == {shopify["webhook_url"]}
    tunnel = client.post(
        f"/v1/connectors/{shopify['id']}/webhooks",
        headers=merchant.account.headers,
        json={"public_url": "https://tunnel.example/"},
    )
    assert tunnel.json["webhook_url"] == f"https://tunnel.example/v1/connectors/{shopify['id']}/webhooks/shopify"


def test_woocommerce_webhooks_are_created_with_the_secret(merchant, client, server):
    shop = FakeWooCommerce(server, [])
    woo = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS)
    for _ in range(2):
        response = client.post(f"/v1/connectors/{woo['id']}/webhooks", headers=merchant.account.headers)
        assert response.json["ok"] and "product.deleted" in response.json["topics"]
    assert len(shop.webhooks) == 4 and {hook["secret"] for hook in shop.webhooks} == {WOO_KEYS["webhook_secret"]}
    _assert_no_secret(response)
    cscart = merchant.connect("cscart", "https://store.example", {"email": "a@b.example", "api_key": "k"})
    refused = client.post(f"/v1/connectors/{cscart['id']}/webhooks", headers=merchant.account.headers)
    assert (refused.json["ok"], refused.json["reason"]) == (False, "unsupported")
