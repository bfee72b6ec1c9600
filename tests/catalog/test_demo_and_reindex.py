"""The shipped demo catalog, and rebuilding vectors from SQL."""

from __future__ import annotations

import json

from bridge.catalog.service import DEMO_DIR


def test_demo_catalog_installs_offline_and_is_searchable(client, auth):
    account = auth.account()
    response = client.post("/v1/products/demo", headers=account.headers)
    assert response.status_code == 201
    expected = len(json.loads((DEMO_DIR / "catalog.json").read_text()))
    assert response.json["installed"] == expected >= 40
    assert client.get("/v1/products", headers=account.headers).json["total"] == expected
    found = client.post("/v1/search/text", json={"query": "backpack", "limit": 3}, headers=account.headers).json
    assert any("Backpack" in r["metadata"]["name"] for r in found["results"])
    image_url = client.get("/v1/products/24-mb01", headers=account.headers).json["image_urls"][0]
    assert image_url == "http://bridge.test/demo/images/24-mb01.jpg"
    with client.get("/demo/images/24-mb01.jpg") as photo:
        assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    # Installing again is idempotent: same products, nothing re-embedded.
    assert client.post("/v1/products/demo", headers=account.headers).json["installed"] == expected
    assert client.get("/v1/products", headers=account.headers).json["total"] == expected


def test_reindex_rebuilds_vectors_from_sql(client, auth, runner, services, images):
    account = auth.account()
    client.post(
        "/v1/products",
        json={"product_id": "bag", "image_url": images.url("24-mb01.jpg"), "metadata": {"name": "Duffle bag"}},
        headers=account.headers,
    )
    services.indexer.drop_vectors(account.account_id)
    by_photo = {"image_url": images.url("24-mb01.jpg")}
    assert client.post("/v1/search/url", json=by_photo, headers=account.headers).json["count"] == 0
    result = runner.invoke(args=["bridge", "reindex"])
    assert result.exit_code == 0, result.output
    assert "1 products reindexed, 0 failed" in result.output
    assert client.post("/v1/search/text", json={"query": "duffle"}, headers=account.headers).json["count"] == 1
    url = client.post("/v1/search/url", json={"image_url": images.url("24-mb01.jpg")}, headers=account.headers).json
    assert url["results"][0]["product_id"] == "bag"
