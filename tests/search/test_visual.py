"""Seed 003 visual search (detections) and visual recommend."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from tests.conftest import DEMO_IMAGES, AuthActions

CATALOG = {
    "24-mb01": "Bags",
    "24-mb03": "Bags",
    "24-mb04": "Bags",
    "24-mg01": "Watches",
    "24-mg02": "Watches",
    "24-mg03": "Watches",
    "mj01-orange": "Jackets",
    "wj01-blue": "Jackets",
}


@pytest.fixture
def shop(descriptor_app, images):
    client = descriptor_app.test_client()
    account = AuthActions(client, descriptor_app).account()
    for product_id, category in CATALOG.items():
        body = {
            "product_id": product_id,
            "image_url": images.url(f"{product_id}.jpg"),
            "metadata": {"category": category},
        }
        assert client.post("/v1/products", json=body, headers=account.headers).status_code == 201
    return client, account


def _data_url(image: Image.Image) -> str:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def _scene() -> Image.Image:
    """A bag on the left and a watch on the right, on one white backdrop."""
    canvas = Image.new("RGB", (900, 420), "white")
    bag = Image.open(DEMO_IMAGES / "24-mb01.jpg").convert("RGB").resize((380, 380))
    watch = Image.open(DEMO_IMAGES / "24-mg02.jpg").convert("RGB").resize((380, 380))
    canvas.paste(bag, (20, 20))
    canvas.paste(watch, (500, 20))
    return canvas


def test_detections_find_each_product_in_a_photo(shop):
    client, account = shop
    response = client.post("/v1/visual/search", json={"img": _data_url(_scene())}, headers=account.headers)
    assert response.status_code == 200, response.json
    detections = response.json["detections"]
    whole = detections[0]
    assert (whole["xcenter"], whole["ycenter"], whole["width"], whole["height"]) == (450, 210, 900, 420)
    named = {d["name"]: d for d in detections[1:]}
    assert {"Bags", "Watches"} <= set(named)
    assert named["Bags"]["xcenter"] < 450 < named["Watches"]["xcenter"]
    assert all(0 < d["confidence"] <= 1 and len(d["embedding"]) == 4454 for d in detections)
    assert named["Bags"]["class"] != named["Watches"]["class"] and named["Bags"]["class"] >= 0


def test_recommend_returns_products_of_the_detected_class_in_seed_shape(shop):
    client, account = shop
    detections = client.post("/v1/visual/search", json={"img": _data_url(_scene())}, headers=account.headers).json
    watch = next(d for d in detections["detections"] if d["name"] == "Watches")
    body = {"img": watch["embedding"], "detected_class": watch["class"], "n_rec": 3}
    products = client.post("/v1/visual/recommend", json=body, headers=account.headers).json
    assert [p["category_name"] for p in products] == ["Watches"] * 3
    assert {"id", "item_id", "brand_name", "page_names", "images", "attributes"} <= set(products[0])
    assert products[0]["images"][0].endswith(".jpg")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/visual/search", {"img": "data:image/jpeg;base64,***"}, "img"),
        ("/v1/visual/search", {"img": base64.b64encode(b"not an image").decode()}, "img"),
        ("/v1/visual/search", {}, "img"),
        ("/v1/visual/recommend", {"img": [0.1, 0.2], "n_rec": 3}, "img"),
        ("/v1/visual/recommend", {"img": [0.1] * 4454, "n_rec": 0}, "n_rec"),
    ],
)
def test_bad_visual_requests_name_the_field(shop, path, body, field):
    client, account = shop
    response = client.post(path, json=body, headers=account.headers)
    assert response.status_code == 422, response.json
    assert response.json["field"] == field
