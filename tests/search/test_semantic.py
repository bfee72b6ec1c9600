"""Seed 003 semantic search and semantic search filters."""

from __future__ import annotations

import pytest

PRODUCTS = [
    (
        "d1",
        {
            "name": "Red summer dress",
            "brand": "Sunny",
            "category": "Women/Dresses",
            "price": 40,
            "tags": ["summer"],
            "fabric": "linen",
        },
    ),
    (
        "d2",
        {
            "name": "Floral maxi dress",
            "brand": "Bloom",
            "category": "Women/Dresses",
            "price": 65,
            "tags": ["summer", "floral"],
            "fabric": "cotton",
        },
    ),
    (
        "d3",
        {
            "name": "Black evening dress",
            "brand": "Noir",
            "category": "Women/Dresses",
            "price": 120,
            "tags": ["evening"],
            "fabric": "silk",
        },
    ),
    (
        "s1",
        {"name": "Trail running shoe", "brand": "Stride", "category": "Men/Shoes", "price": 90, "tags": ["running"]},
    ),
    ("w1", {"name": "Endurance watch", "brand": "Luma", "category": "Gear/Watches", "price": 49}),
]


@pytest.fixture
def shop(client, auth):
    account = auth.account()
    for product_id, metadata in PRODUCTS:
        body = {"product_id": product_id, "metadata": metadata}
        assert client.post("/v1/products", json=body, headers=account.headers).status_code == 201
    return account


def _post(client, account, path, body):
    response = client.post(path, json=body, headers=account.headers)
    assert response.status_code == 200, response.json
    return response.json


def test_semantic_search_returns_seed_003_products_paginated(client, shop):
    everything = _post(client, shop, "/v1/semantic/search", {"query": "dress", "limit": 3, "threshold": 0.1})
    assert {p["item_id"] for p in everything} == {"d1", "d2", "d3"}
    first = everything[0]
    assert {"id", "item_id", "name", "brand_name", "page_names", "category_name", "price", "attributes"} <= set(first)
    assert first["page_names"] == ["Women", "Dresses"] and first["category_name"] == "Dresses"
    assert "fabric" in first["attributes"]
    second_page = _post(client, shop, "/v1/semantic/search", {"query": "dress", "limit": 2, "offset": 2})
    assert [p["item_id"] for p in second_page] == [everything[2]["item_id"]]


def test_semantic_search_applies_seed_003_filters(client, shop):
    body = {"query": "dress", "filters": '{price: {lt: 100}, attributes["fabric"]: ["linen", "cotton"]}'}
    assert {p["item_id"] for p in _post(client, shop, "/v1/semantic/search", body)} == {"d1", "d2"}


def test_semantic_filters_count_the_matching_set(client, shop):
    facets = _post(client, shop, "/v1/semantic/filters", {"query": "summer dress", "threshold": 0.9})
    assert facets["results"] >= 2
    assert {"Sunny", "Bloom"} <= set(facets["brand_names"])
    assert "Dresses" in facets["page_names"] and "summer" in facets["tags"]
    assert facets["facets"]["tags"]["summer"] == 2
    assert facets["facets_stats"]["price"]["min"] <= 40
    narrow = _post(client, shop, "/v1/semantic/filters", {"query": "summer dress", "threshold": 0.2})
    assert narrow["results"] <= facets["results"]
    filtered = _post(
        client,
        shop,
        "/v1/semantic/filters",
        {"query": "summer dress", "threshold": 1.0, "filters": {"brand_name": "Noir"}},
    )
    assert filtered["brand_names"] == ["Noir"] and filtered["results"] == 1


def test_semantic_bad_input_names_the_field(client, shop):
    response = client.post("/v1/semantic/search", json={"query": "x", "limit": 0}, headers=shop.headers)
    assert response.status_code == 422 and response.json["field"] == "limit"
    response = client.post("/v1/semantic/filters", json={"query": "x", "filters": "{price: }"}, headers=shop.headers)
    assert response.status_code == 422 and response.json["field"] == "filters"
