"""Image, URL and text search through the API, with pre-filters and tenant isolation."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.conftest import DEMO_IMAGES

CATALOG = {
    "24-mb01.jpg": {"name": "Joust Duffle Bag", "category": "Bags", "price": 34, "color_name": "black"},
    "24-mb03.jpg": {"name": "Crown Summit Backpack", "category": "Bags", "price": 38, "color_name": "black"},
    "24-mg01.jpg": {"name": "Endurance Watch", "category": "Watches", "price": 49},
    "mj01-orange.jpg": {"name": "Beaumont Summit Kit", "category": "Jackets", "price": 42, "color_name": "orange"},
    "wj01-blue.jpg": {"name": "Stellar Solar Jacket", "category": "Jackets", "price": 75, "color_name": "blue"},
    "mh01-black.jpg": {"name": "Chaz Kangeroo Hoodie", "category": "Hoodies", "price": 52, "color_name": "black"},
}


@pytest.fixture
def shop(client, auth, images):
    account = auth.account()
    for name, metadata in CATALOG.items():
        product_id = name.removesuffix(".jpg")
        response = client.post(
            "/v1/products",
            json={"product_id": product_id, "image_url": images.url(name), "metadata": metadata},
            headers=account.headers,
        )
        assert response.status_code == 201, response.json
    return account


def _upload(client, account, image_bytes, **form):
    data = {"image": (io.BytesIO(image_bytes), "photo.jpg"), **{k: str(v) for k, v in form.items()}}
    return client.post("/v1/search", data=data, headers=account.headers, content_type="multipart/form-data")


def _recompressed(name: str) -> bytes:
    image = Image.open(DEMO_IMAGES / name).convert("RGB")
    image = image.crop((8, 8, image.width - 8, image.height - 8)).resize((200, 200))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def test_upload_finds_the_same_product_first(client, shop):
    # bridge-tiny has random weights: it recognises the same photo, not a re-shot one
    # (that robustness is proven for the descriptor in test_fallback.py).
    response = _upload(client, shop, (DEMO_IMAGES / "wj01-blue.jpg").read_bytes())
    assert response.status_code == 200
    body = response.json
    assert body["results"][0]["product_id"] == "wj01-blue"
    assert body["query_id"] and body["query_time_ms"] >= 0 and body["count"] == len(body["results"])
    assert body["visual_model"] == "open_clip/bridge-tiny/seed0"
    scores = [result["similarity_score"] for result in body["results"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert body["results"][0]["metadata"]["name"] == "Stellar Solar Jacket"


def test_url_search_and_limit(client, shop, images):
    response = client.post(
        "/v1/search/url", json={"image_url": images.url("24-mg01.jpg"), "limit": 2}, headers=shop.headers
    )
    assert response.json["results"][0]["product_id"] == "24-mg01"
    assert response.json["results"][0]["similarity_score"] == pytest.approx(1.0, abs=0.01)
    assert response.json["count"] == 2


def test_text_search_understands_meaning(client, shop):
    body = client.post("/v1/search/text", json={"query": "wristwatch"}, headers=shop.headers).json
    assert body["results"][0]["product_id"] == "24-mg01"
    bags = client.post("/v1/search/text", json={"query": "bag for the gym", "limit": 2}, headers=shop.headers).json
    assert {r["product_id"] for r in bags["results"]} <= {"24-mb01", "24-mb03"}


def test_threshold_drops_weak_matches(client, shop):
    loose = client.post("/v1/search/text", json={"query": "wristwatch", "threshold": 0}, headers=shop.headers).json
    strict = client.post("/v1/search/text", json={"query": "wristwatch", "threshold": 0.3}, headers=shop.headers).json
    assert strict["count"] < loose["count"]
    assert all(r["similarity_score"] >= 0.3 for r in strict["results"])


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "jackets"}, {"mj01-orange", "wj01-blue"}),
        ({"price_min": 40, "price_max": 60}, {"24-mg01", "mj01-orange", "mh01-black"}),
        ({"category": "Bags", "price_max": 35}, {"24-mb01"}),
        ({"color": "orange"}, {"mj01-orange"}),
    ],
)
def test_prefilters_apply_to_every_search_mode(client, shop, images, filters, expected):
    text = client.post("/v1/search/text", json={"query": "sports gear", "limit": 100, **filters}, headers=shop.headers)
    url = client.post(
        "/v1/search/url", json={"image_url": images.url("24-mb01.jpg"), "limit": 100, **filters}, headers=shop.headers
    )
    upload = _upload(client, shop, _recompressed("24-mb01.jpg"), limit=100, **filters)
    for response in (text, url, upload):
        assert response.status_code == 200, response.json
        assert {r["product_id"] for r in response.json["results"]} == expected


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": "bag", "limit": 0}, "limit"),
        ({"query": "bag", "limit": 101}, "limit"),
        ({"query": "bag", "threshold": 1.5}, "threshold"),
        ({"query": ""}, "query"),
        ({}, "query"),
        ({"query": "bag", "price_min": 50, "price_max": 10}, "price_min"),
        ({"query": "bag", "color": "plaid-ish"}, "color"),
    ],
)
def test_bad_text_searches_name_the_field(client, shop, body, field):
    response = client.post("/v1/search/text", json=body, headers=shop.headers)
    assert response.status_code == 422 and response.json["field"] == field


def test_bad_uploads_name_the_field(client, shop):
    missing = client.post("/v1/search", data={"limit": "5"}, headers=shop.headers, content_type="multipart/form-data")
    assert missing.status_code == 422 and missing.json["field"] == "image"
    not_image = _upload(client, shop, b"<html>nope</html>")
    assert not_image.status_code == 422 and not_image.json["field"] == "image"
    as_json = client.post("/v1/search", json={"image": "x"}, headers=shop.headers)
    assert as_json.status_code == 415


def test_one_account_never_sees_another_accounts_products(client, shop, auth, images):
    other = auth.account()
    assert client.post("/v1/search/text", json={"query": "watch"}, headers=other.headers).json["count"] == 0
    url = client.post("/v1/search/url", json={"image_url": images.url("24-mg01.jpg")}, headers=other.headers)
    assert url.json["count"] == 0
    assert _upload(client, other, _recompressed("24-mg01.jpg")).json["count"] == 0
    assert client.get("/v1/products/24-mg01", headers=other.headers).status_code == 404
    assert client.get("/v1/products", headers=other.headers).json["total"] == 0
    assert client.delete("/v1/products/24-mg01", headers=other.headers).status_code == 404
    assert client.patch("/v1/products/24-mg01", json={"metadata": {}}, headers=other.headers).status_code == 404
    # The same product_id in another account is another product.
    client.post("/v1/products", json={"product_id": "24-mg01", "metadata": {"name": "Other"}}, headers=other.headers)
    assert client.get("/v1/products/24-mg01", headers=shop.headers).json["metadata"]["name"] == "Endurance Watch"


def test_products_and_search_through_a_chroma_server(tmp_path, chroma_server, images):
    """BRIDGE_CHROMA_URL: the same API, with vectors kept by a separate `chroma run` server."""
    from bridge import create_app
    from tests.conftest import AuthActions, app_settings

    app = create_app(app_settings(tmp_path, CHROMA_URL=chroma_server))
    client = app.test_client()
    account = AuthActions(client, app).account()
    for name in ("24-mg01.jpg", "wj01-blue.jpg"):
        body = {"product_id": name[:-4], "image_url": images.url(name), "metadata": {"name": name}}
        assert client.post("/v1/products", json=body, headers=account.headers).status_code == 201
    found = client.post("/v1/search/url", json={"image_url": images.url("wj01-blue.jpg")}, headers=account.headers)
    assert found.json["results"][0]["product_id"] == "wj01-blue"
    assert client.get("/readyz").json["checks"]["vector_store"] == {"ok": True, "mode": "http"}
    assert not (tmp_path / "chroma").exists()
    app.extensions["bridge"].close()
