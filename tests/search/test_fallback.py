"""Without CLIP weights the server still serves, with the weight-free descriptor."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from tests.conftest import DEMO_IMAGES, AuthActions


def test_missing_weights_fail_fast_and_readyz_names_the_fallback(descriptor_app):
    client = descriptor_app.test_client()
    started = time.monotonic()
    ready = client.get("/readyz").json
    assert time.monotonic() - started < 20, "weights that cannot load must not hang start-up"
    models = ready["checks"]["models"]
    assert models["visual_space"] == "descriptor"
    assert models["visual_model"] == "bridge-descriptor-v1"
    assert "BRIDGE_CLIP_PRETRAINED" in models["fallback_reason"]


def test_image_search_works_on_the_descriptor_and_says_so(descriptor_app, images):
    client = descriptor_app.test_client()
    account = AuthActions(client, descriptor_app).account()
    for name in ("wj01-blue.jpg", "mj01-orange.jpg", "24-mg01.jpg"):
        response = client.post(
            "/v1/products", json={"product_id": name[:-4], "image_url": images.url(name)}, headers=account.headers
        )
        assert response.status_code == 201
    photo = Image.open(DEMO_IMAGES / "mj01-orange.jpg").convert("RGB")
    reshot = photo.crop((10, 6, photo.width - 12, photo.height - 4)).resize((210, 210))
    upload = io.BytesIO()
    reshot.save(upload, format="JPEG", quality=65)
    upload.seek(0)
    body = client.post(
        "/v1/search",
        data={"image": (upload, "reshot.jpg")},
        headers=account.headers,
        content_type="multipart/form-data",
    ).json
    assert body["visual_model"] == "bridge-descriptor-v1"
    assert body["results"][0]["product_id"] == "mj01-orange"
    assert body["results"][0]["similarity_score"] > body["results"][1]["similarity_score"]


def test_a_bad_weights_file_is_named_in_the_message(tmp_path):
    from bridge.embedding.clip import ClipEmbedder, WeightsUnavailableError

    with pytest.raises(WeightsUnavailableError, match="BRIDGE_CLIP_PRETRAINED=.*not a file"):
        ClipEmbedder("ViT-B-32", str(tmp_path / "missing.safetensors")).load()
    with pytest.raises(WeightsUnavailableError, match="not a known tag"):
        ClipEmbedder("ViT-B-32", "no-such-tag").load()
