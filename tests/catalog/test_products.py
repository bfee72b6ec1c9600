"""Products through the API: create, update, read, list, delete, bad input."""

from __future__ import annotations

import pytest

SHOE = {"name": "Joust Duffle Bag", "category": "Bags", "brand": "Luma", "price": 34.0, "tags": ["gym", "travel"]}


def _post(client, account, **body):
    return client.post("/v1/products", json=body, headers=account.headers)


def test_index_a_product_from_an_image_url(client, auth, images):
    account = auth.account()
    response = _post(client, account, product_id="bag-1", image_url=images.url("24-mb01.jpg"), metadata=SHOE)
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "indexed" and body["product_id"] == "bag-1" and body["vector_id"]
    assert body["images_embedded"] == 1 and body["created"] is True
    product = client.get("/v1/products/bag-1", headers=account.headers).json
    assert product["metadata"]["name"] == "Joust Duffle Bag"
    assert product["image_urls"] == [images.url("24-mb01.jpg")]
    assert product["dominant_colors"] and product["dominant_colors"][0]["hex"].startswith("#")
    assert product["visual_model"] == "open_clip/bridge-tiny/seed0"


def test_reposting_updates_and_embeds_only_changed_images(client, auth, images):
    account = auth.account()
    _post(client, account, product_id="p", image_urls=[images.url("24-mb01.jpg"), images.url("24-mb03.jpg")])
    same = _post(client, account, product_id="p", image_urls=[images.url("24-mb01.jpg"), images.url("24-mb03.jpg")])
    assert same.status_code == 200 and same.json["created"] is False and same.json["images_embedded"] == 0
    changed = _post(client, account, product_id="p", image_urls=[images.url("24-mb01.jpg"), images.url("24-mg01.jpg")])
    assert changed.json["images_embedded"] == 1
    listing = client.get("/v1/products", headers=account.headers).json
    assert listing["total"] == 1


def test_a_product_without_images_is_accepted_and_found_by_text(client, auth):
    account = auth.account()
    response = _post(client, account, product_id="gift", metadata={"name": "Luma gift card", "category": "gifts"})
    assert response.status_code == 201 and response.json["images_embedded"] == 0
    found = client.post("/v1/search/text", json={"query": "gift card"}, headers=account.headers).json
    assert found["results"][0]["product_id"] == "gift"


def test_list_is_paginated_and_filtered_by_category(client, auth):
    account = auth.account()
    for index in range(5):
        category = "bags" if index % 2 else "watches"
        _post(client, account, product_id=f"p{index}", metadata={"name": f"Item {index}", "category": category})
    page = client.get("/v1/products?per_page=2&page=2", headers=account.headers).json
    assert page["total"] == 5 and page["pages"] == 3 and len(page["products"]) == 2
    bags = client.get("/v1/products?category=BAGS", headers=account.headers).json
    assert {p["product_id"] for p in bags["products"]} == {"p1", "p3"}
    assert client.get("/v1/products?per_page=101", headers=account.headers).json["field"] == "per_page"


def test_patch_merges_metadata_and_null_removes_a_key(client, auth):
    account = auth.account()
    _post(client, account, product_id="p", metadata={"name": "Tote", "price": 10, "material": "canvas"})
    response = client.patch(
        "/v1/products/p", json={"metadata": {"price": 12.5, "material": None}}, headers=account.headers
    )
    assert response.status_code == 200
    metadata = client.get("/v1/products/p", headers=account.headers).json["metadata"]
    assert metadata["price"] == 12.5 and metadata["name"] == "Tote" and "material" not in metadata
    bad = client.patch("/v1/products/p", json={"metadata": {"price": -3}}, headers=account.headers)
    assert bad.status_code == 422 and bad.json["field"] == "metadata.price"


def test_put_replaces_and_does_not_create(client, auth):
    account = auth.account()
    _post(client, account, product_id="p", metadata={"name": "Old", "color_name": "red"})
    client.put("/v1/products/p", json={"metadata": {"name": "New"}}, headers=account.headers)
    assert client.get("/v1/products/p", headers=account.headers).json["metadata"]["name"] == "New"
    assert "color_name" not in client.get("/v1/products/p", headers=account.headers).json["metadata"]
    assert client.put("/v1/products/nope", json={"metadata": {}}, headers=account.headers).status_code == 404


def test_delete_removes_the_product_from_every_index(client, auth, images):
    account = auth.account()
    _post(client, account, product_id="bag", image_url=images.url("24-mb01.jpg"), metadata={"name": "Duffle bag"})
    assert client.delete("/v1/products/bag", headers=account.headers).status_code == 200
    assert client.get("/v1/products/bag", headers=account.headers).status_code == 404
    by_url = client.post("/v1/search/url", json={"image_url": images.url("24-mb01.jpg")}, headers=account.headers)
    by_text = client.post("/v1/search/text", json={"query": "duffle bag"}, headers=account.headers)
    assert by_url.json["count"] == 0 and by_text.json["count"] == 0
    assert client.delete("/v1/products/bag", headers=account.headers).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"image_url": "http://x.test/a.jpg"}, "product_id"),
        ({"product_id": "", "metadata": {}}, "product_id"),
        ({"product_id": "p", "image_url": "ftp://x.test/a.jpg"}, "image_url"),
        ({"product_id": "p", "image_urls": ["http://x.test/a.jpg", "nope"]}, "image_urls.1"),
        ({"product_id": "p", "metadata": {"price": "cheap"}}, "metadata.price"),
        ({"product_id": "p", "metadata": {"tags": "one"}}, "metadata.tags"),
        ({"product_id": "p", "metadata": "name"}, "metadata"),
        ({"product_id": "p", "image_urls": [f"http://x.test/{i}.jpg" for i in range(11)]}, "image_urls"),
    ],
)
def test_bad_product_bodies_name_the_field(client, auth, body, field):
    account = auth.account()
    response = client.post("/v1/products", json=body, headers=account.headers)
    assert response.status_code == 422, response.json
    assert response.json["field"] == field


def test_a_broken_image_fails_precisely_and_writes_nothing(client, auth, images, services):
    account = auth.account()
    response = _post(client, account, product_id="p", image_url=images.url("missing.jpg"), metadata={"name": "X"})
    assert response.status_code == 422
    assert response.json["field"] == "image_url" and "404" in response.json["detail"]
    assert client.get("/v1/products/p", headers=account.headers).status_code == 404
    assert services.catalog.count(account.account_id) == 0


def test_private_image_urls_are_refused_unless_allowed(tmp_path, images):
    from bridge import create_app
    from tests.conftest import AuthActions, app_settings

    app = create_app(app_settings(tmp_path, ALLOW_PRIVATE_URLS=False))
    client = app.test_client()
    account = AuthActions(client, app).account()
    response = client.post(
        "/v1/products", json={"product_id": "p", "image_url": images.url("24-mb01.jpg")}, headers=account.headers
    )
    assert response.status_code == 422 and "BRIDGE_ALLOW_PRIVATE_URLS" in response.json["detail"]
    assert images.requests == []
    app.extensions["bridge"].close()


def test_products_need_a_token(client):
    assert client.get("/v1/products").status_code == 401
    assert client.post("/v1/products", json={"product_id": "p"}).status_code == 401
