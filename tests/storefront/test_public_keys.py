"""Publishable keys: public endpoints only, from allowed origins, under their own rate limit, with CORS."""

from __future__ import annotations

import pytest

SHOP = "https://shop.example.com"


def make_key(client, account, origins=(SHOP,), **extra):
    body = {"name": "Storefront", "allowed_origins": list(origins), **extra}
    response = client.post("/v1/widget-keys", json=body, headers=account.headers)
    assert response.status_code == 201, response.json
    return response.json


def public(key: str, origin: str | None = SHOP) -> dict[str, str]:
    return {"X-Public-Key": key, **({"Origin": origin} if origin else {})}


def test_a_key_is_created_listed_changed_and_revoked(client, auth):
    account = auth.account()
    created = make_key(client, account, origins=["HTTPS://Shop.Example.com:443/", "https://*.example.org"])
    assert created["key"].startswith("pk_") and created["active"] is True
    assert created["allowed_origins"] == [SHOP, "https://*.example.org"]
    assert created["rate_limit_per_minute"] == 600
    listed = client.get("/v1/widget-keys", headers=account.headers).json
    assert [k["id"] for k in listed] == [created["id"]]
    changed = client.patch(
        f"/v1/widget-keys/{created['id']}", json={"allowed_origins": ["http://127.0.0.1:8080"]}, headers=account.headers
    )
    assert changed.status_code == 200 and changed.json["allowed_origins"] == ["http://127.0.0.1:8080"]
    assert (
        client.get("/v1/website/settings", headers=public(created["key"], "http://127.0.0.1:8080")).status_code == 200
    )
    revoking = client.delete(f"/v1/widget-keys/{created['id']}", headers=account.headers)
    assert revoking.status_code == 200 and revoking.json["active"] is False
    revoked = client.get("/v1/website/settings", headers=public(created["key"], "http://127.0.0.1:8080"))
    assert revoked.status_code == 401 and "revoked" in revoked.json["detail"]
    assert client.get("/v1/widget-keys", headers=account.headers).json[0]["active"] is False


@pytest.mark.parametrize(
    ("origins", "field"),
    [
        (["shop.example.com"], "allowed_origins[0]"),
        ([SHOP, "https://shop.example.com/path"], "allowed_origins[1]"),
        (["https://shop.*.com"], "allowed_origins[0]"),
        (["ftp://shop.example.com"], "allowed_origins[0]"),
    ],
)
def test_a_malformed_origin_is_refused_naming_it_and_nothing_is_created(client, auth, origins, field):
    account = auth.account()
    response = client.post("/v1/widget-keys", json={"name": "x", "allowed_origins": origins}, headers=account.headers)
    assert response.status_code == 422 and response.json["field"] == field
    assert client.get("/v1/widget-keys", headers=account.headers).json == []


def test_a_key_reaches_public_endpoints_only(client, auth):
    account = auth.account()
    key = make_key(client, account)["key"]
    assert client.get("/v1/search/suggest?q=jack", headers=public(key)).status_code == 200
    assert client.post("/v1/search/text", json={"query": "bag"}, headers=public(key)).status_code == 200
    assert client.post("/v1/recommend", json={"algo": "pop"}, headers=public(key)).status_code == 200
    event = {"event": "view", "item_id": "p1", "session_id": "s1"}
    assert client.post("/v1/events", json=event, headers=public(key)).status_code == 202
    for method, path in [
        ("get", "/v1/products"),
        ("post", "/v1/products/demo"),
        ("get", "/v1/widget-keys"),
        ("get", "/v1/account"),
        ("patch", "/v1/website/settings"),
        ("put", "/v1/website/settings"),
    ]:
        response = getattr(client, method)(path, json={} if method != "get" else None, headers=public(key))
        assert response.status_code == 403, (method, path, response.json)
        assert "public endpoints" in response.json["detail"]


def test_seed_003_header_is_accepted(client, auth):
    account = auth.account()
    key = make_key(client, account)["key"]
    response = client.get("/v1/website/settings", headers={"x-visidea-token": key, "Origin": SHOP})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == SHOP


def test_the_key_may_travel_in_the_query_string(client, auth):
    account = auth.account()
    key = make_key(client, account)["key"]
    response = client.get(f"/v1/search/suggest?q=jack&public_key={key}", headers={"Origin": SHOP})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == SHOP
    refused = client.get(f"/v1/search/suggest?q=jack&public_key={key}", headers={"Origin": "https://evil.com"})
    assert refused.status_code == 403


def test_origins_are_matched_exactly_and_wildcards_only_when_written(client, auth):
    account = auth.account()
    key = make_key(client, account, origins=[SHOP, "https://*.example.org"])["key"]
    allowed = [SHOP, "https://a.example.org", "https://a.b.example.org"]
    refused = ["http://shop.example.com", "https://shop.example.com:8443", "https://example.org", "https://evil.com"]
    for origin in allowed:
        response = client.get("/v1/website/settings", headers=public(key, origin))
        assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == origin
    for origin in refused:
        response = client.get("/v1/website/settings", headers=public(key, origin))
        assert response.status_code == 403, origin
        assert "Access-Control-Allow-Origin" not in response.headers
        assert origin in response.json["detail"]
    # A shop's own server sends no Origin: the key still works (it is public by design).
    assert client.get("/v1/website/settings", headers=public(key, None)).status_code == 200


def test_preflight_is_answered_for_allowed_origins_only(client, auth):
    account = auth.account()
    make_key(client, account)
    asked = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-public-key,content-type"}
    good = client.options("/v1/search/text", headers={"Origin": SHOP, **asked})
    assert good.headers["Access-Control-Allow-Origin"] == SHOP
    assert "X-Public-Key" in good.headers["Access-Control-Allow-Headers"]
    assert "POST" in good.headers["Access-Control-Allow-Methods"]
    bad = client.options("/v1/search/text", headers={"Origin": "https://evil.com", **asked})
    assert "Access-Control-Allow-Origin" not in bad.headers
    # Secret endpoints never answer CORS, whatever the origin.
    products = client.options("/v1/products", headers={"Origin": SHOP, **asked})
    assert "Access-Control-Allow-Origin" not in products.headers


def test_bearer_calls_from_a_browser_get_no_cors(client, auth):
    account = auth.account()
    make_key(client, account)
    response = client.get("/v1/website/settings", headers={**account.headers, "Origin": SHOP})
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response.headers


def test_each_key_has_its_own_rate_limit(client, auth):
    account = auth.account()
    slow = make_key(client, account, rate_limit_per_minute=3)["key"]
    other = make_key(client, account)["key"]
    for _ in range(3):
        assert client.get("/v1/website/settings", headers=public(slow)).status_code == 200
    limited = client.get("/v1/website/settings", headers=public(slow))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["Access-Control-Allow-Origin"] == SHOP  # the widget can read why
    assert client.get("/v1/website/settings", headers=public(other)).status_code == 200


def test_an_unknown_key_is_refused(client):
    response = client.get("/v1/website/settings", headers=public("pk_nope"))
    assert response.status_code == 401 and "Access-Control-Allow-Origin" not in response.headers


def test_a_key_sees_only_its_own_account(client, auth, services):
    shop_a, shop_b = auth.account(), auth.account()
    for account, name in ((shop_a, "Alpha duffle bag"), (shop_b, "Beta duffle bag")):
        body = {"product_id": f"bag-{name[0]}", "metadata": {"name": name}}
        assert client.post("/v1/products", json=body, headers=account.headers).status_code == 201
    key_a = make_key(client, shop_a)["key"]
    found = client.post("/v1/search/text", json={"query": "duffle bag"}, headers=public(key_a)).json
    assert [r["metadata"]["name"] for r in found["results"]] == ["Alpha duffle bag"]
    assert client.get("/v1/products/bag-B/similar", headers=public(key_a)).status_code == 404


def test_openapi_says_which_operations_take_a_publishable_key(client):
    paths = client.get("/openapi.json").json["paths"]
    either = [{"bearerAuth": []}, {"publicKey": []}]
    for path, method in [
        ("/v1/search", "post"),
        ("/v1/search/suggest", "get"),
        ("/v1/website/settings", "get"),
        ("/v1/recommend", "post"),
        ("/v1/events", "post"),
    ]:
        assert paths[path][method]["security"] == either, (path, method)
    for path, method in [("/v1/website/settings", "patch"), ("/v1/products", "get"), ("/v1/widget-keys", "post")]:
        assert "security" not in paths[path][method], (path, method)  # the document's default: bearer only
