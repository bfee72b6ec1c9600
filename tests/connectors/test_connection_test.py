"""POST /v1/connectors/{id}/test names exactly what is wrong: DNS, TLS, 401, scope, base path."""

from __future__ import annotations

import re

from werkzeug import Response

from tests.platforms import CSCART_KEYS, SHOPIFY_KEYS, WOO_KEYS, FakeShopifyRest, FakeWooCommerce


def _test(merchant, platform, shop_url, credentials, **extra) -> dict:
    connector = merchant.connect(platform, shop_url, credentials, **extra)
    response = merchant.client.post(f"/v1/connectors/{connector['id']}/test", headers=merchant.account.headers)
    assert response.status_code == 200, response.json
    return response.json


def test_a_working_shop_passes_every_step(merchant, server):
    FakeShopifyRest(server, [])
    result = _test(merchant, "shopify", server.url_for("").rstrip("/"), SHOPIFY_KEYS, options={"api": "rest"})
    assert result["ok"] and [check["name"] for check in result["checks"]] == ["credentials", "scopes", "products"]


def test_unknown_host_is_reported_as_dns(merchant):
    result = _test(merchant, "woocommerce", "https://no-such-shop.invalid", WOO_KEYS)
    assert (result["ok"], result["reason"]) == (False, "dns")
    assert "no-such-shop.invalid" in result["detail"]


def test_https_to_a_server_without_tls_is_reported_as_tls(merchant, server):
    FakeWooCommerce(server, [])
    result = _test(merchant, "woocommerce", server.url_for("").replace("http://", "https://").rstrip("/"), WOO_KEYS)
    assert result["reason"] == "tls"


def test_rejected_credentials_are_reported_as_401(merchant, server):
    server.expect_request(re.compile(r"^/api/2\.0/products$")).respond_with_response(Response("no", status=401))
    result = _test(merchant, "cscart", server.url_for("").rstrip("/"), CSCART_KEYS)
    assert result["reason"] == "unauthorized" and "401" in result["detail"]


def test_a_token_without_read_products_is_reported_as_missing_scope(merchant, server):
    FakeShopifyRest(server, [], scopes=["read_orders"])
    result = _test(merchant, "shopify", server.url_for("").rstrip("/"), SHOPIFY_KEYS)
    assert result["reason"] == "missing_scope" and "read_products" in result["detail"]
    assert "read_orders" in result["detail"]


def test_a_woocommerce_key_without_read_permission_is_missing_scope(merchant, server):
    server.expect_request("/wp-json/wc/v3/products").respond_with_response(Response("{}", status=403))
    result = _test(merchant, "woocommerce", server.url_for("").rstrip("/"), WOO_KEYS)
    assert result["reason"] == "missing_scope"


def test_a_wrong_base_path_is_reported_as_not_found(merchant, server):
    server.expect_request(re.compile(".*")).respond_with_response(Response("<html>nope</html>", status=404))
    result = _test(merchant, "woocommerce", server.url_for("/shop").rstrip("/"), WOO_KEYS)
    assert result["reason"] == "not_found" and "base path" in result["detail"]


def test_an_html_page_instead_of_the_api_is_reported(merchant, server):
    server.expect_request(re.compile(".*")).respond_with_response(
        Response("<html>WordPress home</html>", content_type="text/html")
    )
    result = _test(merchant, "cscart", server.url_for("").rstrip("/"), CSCART_KEYS)
    assert result["reason"] == "not_json" and "base path" in result["detail"]


def test_new_settings_can_be_tried_before_they_are_saved(merchant, server):
    shop = FakeShopifyRest(server, [], scopes=["read_orders"])
    connector = merchant.connect("shopify", server.url_for("").rstrip("/"), SHOPIFY_KEYS, options={"api": "rest"})
    url = f"/v1/connectors/{connector['id']}/test"
    shop.scopes = ["read_products"]
    shop.token = "shpat_new"  # only the new token is accepted now
    headers = merchant.account.headers
    tried = merchant.client.post(url, json={"credentials": {"access_token": "shpat_new"}}, headers=headers).json
    assert tried["ok"], tried
    saved = merchant.client.post(url, headers=headers).json
    assert saved["reason"] == "unauthorized"  # the stored token was not replaced by the try
    bad = merchant.client.post(url, json={"options": {"api": "soap"}}, headers=headers)
    assert bad.status_code == 422 and bad.json["field"] == "options.api"
