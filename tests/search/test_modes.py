"""Fusion, multi-image and crop search, and explain."""

from __future__ import annotations

import io

import pytest

from tests.conftest import DEMO_IMAGES, AuthActions

SHOP = {
    "mj01-orange.jpg": {"name": "Beaumont Summit Kit", "category": "Jackets", "color_name": "orange"},
    "wj01-blue.jpg": {"name": "Stellar Solar Jacket", "category": "Jackets", "color_name": "blue"},
    "mj02-green.jpg": {"name": "Hyperion Elements Jacket", "category": "Jackets", "color_name": "green"},
    "wh02-blue.jpg": {"name": "Hera Pullover Hoodie", "category": "Hoodies", "color_name": "blue"},
    "mh01-black.jpg": {"name": "Chaz Kangeroo Hoodie", "category": "Hoodies", "color_name": "black"},
    "24-mg01.jpg": {"name": "Endurance Watch", "category": "Watches"},
    "24-mb01.jpg": {"name": "Joust Duffle Bag", "category": "Bags"},
}


def _stock(client, account, images):
    for name, metadata in SHOP.items():
        body = {"product_id": name[:-4], "image_url": images.url(name), "metadata": metadata}
        assert client.post("/v1/products", json=body, headers=account.headers).status_code == 201


@pytest.fixture
def shop(client, auth, images):
    account = auth.account()
    _stock(client, account, images)
    return account


@pytest.fixture
def descriptor_shop(descriptor_app, images):
    """The weight-free descriptor ranks photos meaningfully, so blends can be judged on it."""
    client = descriptor_app.test_client()
    account = AuthActions(client, descriptor_app).account()
    _stock(client, account, images)
    return client, account


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [result["product_id"] for result in response.json["results"]]


def test_fusion_moves_results_towards_the_words(descriptor_shop, images):
    client, account = descriptor_shop
    body = {"image_url": images.url("mj01-orange.jpg"), "query": "blue", "limit": 3}
    photo_only = _ids(client.post("/v1/search/fusion", json={**body, "image_weight": 1.0}, headers=account.headers))
    blended = _ids(client.post("/v1/search/fusion", json={**body, "image_weight": 0.4}, headers=account.headers))
    assert photo_only[0] == "mj01-orange"
    assert blended[0] in {"wj01-blue", "wh02-blue"}
    assert "24-mg01" not in blended


def test_fusion_explains_each_channel(client, shop, images):
    body = {"image_url": images.url("24-mb01.jpg"), "query": "duffle bag", "explain": True, "image_weight": 0.5}
    response = client.post("/v1/search/fusion", json=body, headers=shop.headers)
    top = response.json["results"][0]
    assert top["product_id"] == "24-mb01"
    explain = top["explain"]
    assert set(explain) == {"visual", "text", "category_boost"}
    blended = (explain["visual"] + explain["text"]) / 2 + explain["category_boost"]
    assert top["similarity_score"] == pytest.approx(min(1.0, blended), abs=1e-3)


def test_fusion_needs_an_image_or_words(client, shop):
    response = client.post("/v1/search/fusion", json={"image_weight": 0.5}, headers=shop.headers)
    assert response.status_code == 422 and response.json["field"] == "query"


@pytest.mark.parametrize("aggregation", ["union", "best"])
def test_multi_image_finds_each_reference(client, shop, images, aggregation):
    body = {
        "image_urls": [images.url("24-mg01.jpg"), images.url("24-mb01.jpg")],
        "aggregation": aggregation,
        "limit": 2,
    }
    assert set(_ids(client.post("/v1/search/multi-image", json=body, headers=shop.headers))) == {"24-mg01", "24-mb01"}


def test_multi_image_average_and_bad_input(client, shop, images):
    body = {"image_urls": [images.url("24-mg01.jpg")] * 2, "aggregation": "average", "limit": 1}
    assert _ids(client.post("/v1/search/multi-image", json=body, headers=shop.headers)) == ["24-mg01"]
    too_many = client.post(
        "/v1/search/multi-image", json={"image_urls": [images.url("a.jpg")] * 11}, headers=shop.headers
    )
    assert too_many.status_code == 422 and too_many.json["field"] == "image_urls"
    wrong = client.post(
        "/v1/search/multi-image",
        json={"image_urls": [images.url("a.jpg")], "aggregation": "median"},
        headers=shop.headers,
    )
    assert wrong.json["field"] == "aggregation"
    broken = client.post(
        "/v1/search/multi-image",
        json={"image_urls": [images.url("24-mg01.jpg"), images.url("gone.jpg")]},
        headers=shop.headers,
    )
    assert broken.status_code == 422 and broken.json["field"] == "image_urls[1]"


def test_crop_by_fractions_and_by_pixels(client, shop, images):
    whole = {"x": 0, "y": 0, "width": 1, "height": 1}
    by_fraction = client.post(
        "/v1/search/crop", json={"image_url": images.url("wj01-blue.jpg"), "box": whole}, headers=shop.headers
    )
    assert _ids(by_fraction)[0] == "wj01-blue"
    tiny = client.post(
        "/v1/search/crop",
        json={"image_url": images.url("wj01-blue.jpg"), "box": {"x": 5000, "y": 5000, "width": 10, "height": 10}},
        headers=shop.headers,
    )
    assert tiny.status_code == 422 and tiny.json["field"] == "box"
    missing = client.post("/v1/search/crop", json={"image_url": images.url("wj01-blue.jpg")}, headers=shop.headers)
    assert missing.json["field"] == "box"


def test_crop_of_an_upload(client, shop):
    photo = (DEMO_IMAGES / "24-mg01.jpg").read_bytes()
    form = {"image": (io.BytesIO(photo), "p.jpg"), "x": "0", "y": "0", "width": "1", "height": "1"}
    response = client.post(
        "/v1/search/crop/upload", data=form, headers=shop.headers, content_type="multipart/form-data"
    )
    assert _ids(response)[0] == "24-mg01"


def test_category_of_the_best_matches_is_boosted_and_can_be_switched_off(client, auth):
    account = auth.account()
    catalog = {"b1": "Bags", "b2": "Bags", "b3": "Bags", "w1": "Watches", "h1": "Hoodies"}
    for product_id, category in catalog.items():
        body = {"product_id": product_id, "metadata": {"name": f"{category} item {product_id}", "category": category}}
        client.post("/v1/products", json=body, headers=account.headers)
    boosted = client.post("/v1/search/text", json={"query": "bags", "explain": True}, headers=account.headers).json
    assert boosted["inferred_category"] == "bags"
    bag_results = [r for r in boosted["results"] if r["product_id"].startswith("b")]
    assert all(r["explain"]["category_boost"] == 0.05 for r in bag_results)
    plain = client.post(
        "/v1/search/text", json={"query": "bags", "category_boost": False}, headers=account.headers
    ).json
    assert plain["inferred_category"] is None
    assert {r["product_id"]: r["similarity_score"] for r in plain["results"]}["w1"] == next(
        r["similarity_score"] for r in boosted["results"] if r["product_id"] == "w1"
    )
