"""GET /v1/search/suggest: completions from the catalog and past queries."""

from __future__ import annotations


def _suggest(client, account, q, **params):
    response = client.get("/v1/search/suggest", query_string={"q": q, **params}, headers=account.headers)
    assert response.status_code == 200, response.json
    return response.json


def test_completes_names_brands_and_categories_with_highlights(client, auth):
    account = auth.account()
    client.post("/v1/products/demo", headers=account.headers)
    body = _suggest(client, account, "jack")
    texts = {(s["text"], s["kind"]) for s in body["suggestions"]}
    assert ("Jackets", "category") in texts
    assert any(kind == "product" and "Jacket" in text for text, kind in texts)
    category = next(s for s in body["suggestions"] if s["text"] == "Jackets")
    assert category["highlighted"] == "<mark>Jack</mark>ets" and category["highlight"] == [[0, 4]]
    assert body["products"] and all("Jacket" in p["name"] for p in body["products"])
    assert body["products"][0]["image_url"].startswith("http://bridge.test/demo/images/")


def test_typos_are_tolerated_from_four_characters(client, auth):
    account = auth.account()
    client.post(
        "/v1/products", json={"product_id": "b", "metadata": {"name": "Crown Summit Backpack"}}, headers=account.headers
    )
    assert _suggest(client, account, "bakcpack")["suggestions"][0]["text"] == "Crown Summit Backpack"
    assert _suggest(client, account, "bakcpack")["suggestions"][0]["corrected"] is True
    assert _suggest(client, account, "bcka")["suggestions"] == []


def test_popular_past_queries_are_suggested_after_a_rebuild(client, auth, services):
    account = auth.account()
    client.post(
        "/v1/products", json={"product_id": "t", "metadata": {"name": "Trail running shoe"}}, headers=account.headers
    )
    assert _suggest(client, account, "trail sh")["suggestions"] == []
    for _ in range(3):
        client.post("/v1/search/text", json={"query": "trail shoes for rain"}, headers=account.headers)
    services.autocomplete.refresh(account.account_id)
    assert ("trail shoes for rain", "query") in {
        (s["text"], s["kind"]) for s in _suggest(client, account, "trail sh")["suggestions"]
    }


def test_suggestions_are_private_and_validated(client, auth):
    owner, other = auth.account(), auth.account()
    client.post("/v1/products", json={"product_id": "x", "metadata": {"name": "Secret Widget"}}, headers=owner.headers)
    assert _suggest(client, other, "secr")["suggestions"] == []
    bad = client.get("/v1/search/suggest", query_string={"q": ""}, headers=owner.headers)
    assert bad.status_code == 422 and bad.json["field"] == "q"
    assert client.get("/v1/search/suggest?q=a&limit=50", headers=owner.headers).json["field"] == "limit"
