"""Filtered, hybrid and batch search; the three filter languages agree through the API."""

from __future__ import annotations

import pytest

PRODUCTS = {
    "mj01-orange": {"name": "Beaumont Summit Kit", "category": "Jackets", "price": 42, "material": "nylon"},
    "wj01-blue": {"name": "Stellar Solar Jacket", "category": "Jackets", "price": 75, "material": "polyester"},
    "mj02-green": {"name": "Hyperion Elements Jacket", "category": "Jackets", "price": 51, "material": "nylon"},
    "mh01-black": {"name": "Chaz Kangeroo Hoodie", "category": "Hoodies", "price": 52, "material": "cotton"},
    "24-mg01": {"name": "Endurance Watch", "category": "Watches", "price": 49, "brand": "Luma"},
    "24-mb01": {"name": "Joust Duffle Bag", "category": "Bags", "price": 34, "brand": "Luma", "tags": ["gym"]},
}


@pytest.fixture
def shop(client, auth, images):
    account = auth.account()
    for product_id, metadata in PRODUCTS.items():
        body = {"product_id": product_id, "image_url": images.url(f"{product_id}.jpg"), "metadata": metadata}
        assert client.post("/v1/products", json=body, headers=account.headers).status_code == 201
    return account


def _found(client, account, path, body) -> set[str]:
    response = client.post(path, json={"limit": 100, **body}, headers=account.headers)
    assert response.status_code == 200, response.json
    return {result["product_id"] for result in response.json["results"]}


@pytest.mark.parametrize(
    ("mongo", "metadata_filters", "expected"),
    [
        (
            '{category: "Jackets", price: {lt: 60}}',
            [
                {"field": "category", "operator": "eq", "value": "jackets"},
                {"field": "price", "operator": "lt", "value": 60},
            ],
            {"mj01-orange", "mj02-green"},
        ),
        (
            {'attributes["material"]': "nylon"},
            [{"field": "material", "operator": "eq", "value": "nylon"}],
            {"mj01-orange", "mj02-green"},
        ),
        (
            '{brand_name: ["Luma"], name: {like: "End%"}}',
            [
                {"field": "brand", "operator": "in", "value": ["Luma"]},
                {"field": "name", "operator": "like", "value": "End%"},
            ],
            {"24-mg01"},
        ),
    ],
)
def test_filter_languages_agree_on_every_search_mode(client, shop, images, mongo, metadata_filters, expected):
    image = images.url("24-mb01.jpg")
    for path, body in (
        ("/v1/search/filtered", {"image_url": image}),
        ("/v1/search/text", {"query": "outdoor gear"}),
        ("/v1/search/url", {"image_url": image}),
    ):
        assert _found(client, shop, path, {**body, "filters": mongo}) == expected
        assert _found(client, shop, path, {**body, "metadata_filters": metadata_filters}) == expected


def test_prefilters_and_filters_combine_with_and(client, shop, images):
    body = {"image_url": images.url("24-mb01.jpg"), "filters": '{category: "Jackets"}', "price_max": 50}
    assert _found(client, shop, "/v1/search/filtered", body) == {"mj01-orange"}


@pytest.mark.parametrize(
    ("body", "field", "detail"),
    [
        ({"filters": "{price: {gtx: 5}}"}, "filters", "gtx"),
        ({"filters": '{name: {like: "%x"}}'}, "filters", "like"),
        (
            {"metadata_filters": [{"field": "price", "operator": "between", "value": 1}]},
            "metadata_filters[0].operator",
            "",
        ),
    ],
)
def test_malformed_filters_are_422_naming_where(client, shop, images, body, field, detail):
    response = client.post(
        "/v1/search/filtered", json={"image_url": images.url("24-mb01.jpg"), **body}, headers=shop.headers
    )
    assert response.status_code == 422, response.json
    assert response.json["field"] == field and detail in response.json["detail"]


def test_hybrid_combines_words_colours_and_metadata_filters(client, shop, images):
    body = {
        "image_url": images.url("mj02-green.jpg"),
        "query": "jacket",
        "colors": ["orange"],
        "metadata_filters": [{"field": "category", "operator": "eq", "value": "Jackets"}],
        "visual_weight": 0.5,
    }
    assert _found(client, shop, "/v1/search/hybrid", body) == {"mj01-orange"}
    words_only = _found(client, shop, "/v1/search/hybrid", {"query": "watch", "limit": 1})
    assert words_only == {"24-mg01"}


def test_batch_runs_each_query_on_its_own(client, shop, images):
    queries = [
        {"type": "text", "query": "wristwatch", "limit": 1},
        {"type": "url", "image_url": images.url("gone.jpg")},
        {"type": "teleport"},
        {"type": "filtered", "image_url": images.url("24-mb01.jpg"), "filters": '{category: "Bags"}'},
        {"type": "text", "limit": 500, "query": "x"},
    ]
    response = client.post("/v1/search/batch", json={"queries": queries}, headers=shop.headers)
    assert response.status_code == 200
    body = response.json
    assert (body["count"], body["succeeded"], body["failed"]) == (5, 2, 3)
    statuses = [(item["index"], item["status"]) for item in body["results"]]
    assert statuses == [(0, "ok"), (1, "error"), (2, "error"), (3, "ok"), (4, "error")]
    assert body["results"][0]["response"]["results"][0]["product_id"] == "24-mg01"
    assert (
        body["results"][1]["error"]["field"] == "queries[1].image_url"
        and "404" in body["results"][1]["error"]["detail"]
    )
    assert body["results"][2]["error"]["field"] == "queries[2].type"
    assert body["results"][4]["error"]["field"] == "queries[4].limit"
    too_many = client.post("/v1/search/batch", json={"queries": [queries[0]] * 21}, headers=shop.headers)
    assert too_many.status_code == 422 and too_many.json["field"] == "queries"


def test_a_field_a_product_loses_no_longer_matches_its_old_filter(client, shop, images):
    client.patch("/v1/products/24-mg01", json={"metadata": {"price": None}}, headers=shop.headers)
    cheap = _found(client, shop, "/v1/search/url", {"image_url": images.url("24-mg01.jpg"), "price_max": 50})
    assert "24-mg01" not in cheap
