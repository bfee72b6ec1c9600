"""Near-duplicate products are flagged at indexing time and listed."""

from __future__ import annotations

from tests.conftest import AuthActions


def test_the_same_photo_under_another_product_id_is_flagged(descriptor_app, images):
    client = descriptor_app.test_client()
    account = AuthActions(client, descriptor_app).account()
    for product_id, photo in (("jacket", "wj01-blue.jpg"), ("watch", "24-mg01.jpg"), ("jacket-copy", "wj01-blue.jpg")):
        body = {"product_id": product_id, "image_url": images.url(photo)}
        assert client.post("/v1/products", json=body, headers=account.headers).status_code == 201
    listing = client.get("/v1/products/duplicates", headers=account.headers).json
    assert [(d["product_id"], d["duplicate_of"]) for d in listing["duplicates"]] == [("jacket-copy", "jacket")]
    assert listing["duplicates"][0]["similarity_score"] > 0.95
    # Deleting either product removes the pair.
    client.delete("/v1/products/jacket", headers=account.headers)
    assert client.get("/v1/products/duplicates", headers=account.headers).json["duplicates"] == []


def test_duplicates_are_private_to_the_account(descriptor_app, images):
    client = descriptor_app.test_client()
    actions = AuthActions(client, descriptor_app)
    owner, other = actions.account(), actions.account()
    for product_id in ("a", "b"):
        body = {"product_id": product_id, "image_url": images.url("24-mb01.jpg")}
        client.post("/v1/products", json=body, headers=owner.headers)
    client.post("/v1/products", json={"product_id": "c", "image_url": images.url("24-mb01.jpg")}, headers=other.headers)
    assert len(client.get("/v1/products/duplicates", headers=owner.headers).json["duplicates"]) == 1
    assert client.get("/v1/products/duplicates", headers=other.headers).json["duplicates"] == []
