"""Shopper events, merged shopper ids, recommendations (similarity, pop, history) and similar products."""

from __future__ import annotations

import pytest


@pytest.fixture
def shop(client, auth):
    account = auth.account()
    assert client.post("/v1/products/demo", headers=account.headers).status_code == 201
    return account


def send(client, account, event, item_id, **extra):
    body = {"event": event, "item_id": item_id, **extra}
    response = client.post("/v1/events", json=body, headers=account.headers)
    assert response.status_code == 202, response.json
    return response.json


def item_ids(products: list[dict]) -> list[str]:
    return [product["item_id"] for product in products]


def test_popular_products_rank_by_how_strong_each_action_is(client, shop):
    for _ in range(3):
        send(client, shop, "view", "wj01-blue")  # 3 views: 3
    send(client, shop, "purchase", "24-mb01")  # 1 purchase: 8
    send(client, shop, "add_to_cart", "mt01-gray", quantity=1)  # 4
    response = client.post("/v1/recommend", json={"algo": "pop", "n_rec": 3}, headers=shop.headers)
    assert item_ids(response.json) == ["24-mb01", "mt01-gray", "wj01-blue"]
    assert set(response.json[0]) >= {"id", "item_id", "name", "price", "images", "url", "page_names"}


def test_pop_without_any_event_still_fills_the_carousel(client, shop):
    response = client.post("/v1/recommend", json={"algo": "pop", "n_rec": 5}, headers=shop.headers)
    assert len(response.json) == 5


def test_history_is_the_shoppers_last_views_and_follows_a_merge(client, shop, clock):
    for item in ("ws02-blue", "mh01-black", "ws02-blue", "wb01-black"):
        send(client, shop, "view", item, user_id="anon-1", session_id="sess-1")
        clock.advance(1)
    send(client, shop, "view", "mp01-black", user_id="someone-else", session_id="sess-2")
    by_session = client.post(
        "/v1/recommend", json={"algo": "history", "session_id": "sess-1"}, headers=shop.headers
    ).json
    assert item_ids(by_session) == ["wb01-black", "ws02-blue", "mh01-black"]
    merged = client.post(
        "/v1/merge_user", json={"old_user_id": "anon-1", "new_user_id": "customer-42"}, headers=shop.headers
    )
    assert merged.status_code == 200 and merged.json == {"status": "ok", "events_moved": 4}
    by_user = client.post("/v1/recommend", json={"algo": "history", "user_id": "customer-42"}, headers=shop.headers)
    assert item_ids(by_user.json) == ["wb01-black", "ws02-blue", "mh01-black"]
    old = client.post("/v1/recommend", json={"algo": "history", "user_id": "anon-1"}, headers=shop.headers)
    assert old.json == []


def test_similar_products_exclude_the_product_itself(client, shop):
    response = client.get("/v1/products/wj01-blue/similar?limit=6", headers=shop.headers)
    assert response.status_code == 200
    ids = [r["product_id"] for r in response.json["results"]]
    assert len(ids) == 6 and "wj01-blue" not in ids and response.json["query_id"]
    scores = [r["similarity_score"] for r in response.json["results"]]
    assert scores == sorted(scores, reverse=True)
    by_algo = client.post(
        "/v1/recommend", json={"algo": "similarity", "item_id": "wj01-blue", "n_rec": 6}, headers=shop.headers
    )
    assert item_ids(by_algo.json) == ids


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/v1/events", {"event": "like", "item_id": "x"}, 422, "event"),
        ("/v1/events", {"event": "view"}, 422, "item_id"),
        ("/v1/events", {"event": "purchase", "item_id": "x", "quantity": 0}, 422, "quantity"),
        ("/v1/merge_user", {"old_user_id": "a", "new_user_id": "a"}, 422, "new_user_id"),
        ("/v1/recommend", {"algo": "user"}, 422, "algo"),
        ("/v1/recommend", {"algo": "similarity"}, 422, "item_id"),
        ("/v1/recommend", {"algo": "similarity", "item_id": "nope"}, 404, "product_id"),
    ],
)
def test_bad_requests_name_the_field(client, auth, path, body, status, field):
    account = auth.account()
    response = client.post(path, json=body, headers=account.headers)
    assert response.status_code == status and response.json["field"] == field, response.json


def test_searches_keep_the_shoppers_ids(client, shop, services):
    from sqlalchemy import select

    from bridge.search.models import SearchLog

    body = {"query": "jacket", "user_id": "u-7", "session_id": "s-7", "language": "en"}
    client.post("/v1/search/text", json=body, headers=shop.headers)
    client.post("/v1/semantic/search", json={**body, "query": "bag"}, headers=shop.headers)
    with services.db.transaction() as session:
        logs = session.execute(select(SearchLog.mode, SearchLog.user_id, SearchLog.session_id, SearchLog.language))
        assert sorted(logs) == [("semantic", "u-7", "s-7", "en"), ("text", "u-7", "s-7", "en")]


def test_a_product_without_photos_is_similar_by_its_text(client, auth):
    account = auth.account()
    for product_id, name in (("a", "Wool hiking socks"), ("b", "Merino hiking socks"), ("c", "Espresso machine")):
        body = {"product_id": product_id, "metadata": {"name": name}}
        assert client.post("/v1/products", json=body, headers=account.headers).status_code == 201
    found = client.get("/v1/products/a/similar?limit=2", headers=account.headers).json
    assert [r["product_id"] for r in found["results"]] == ["b", "c"]
