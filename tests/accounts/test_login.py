"""POST /oauth/login: email and password sign-in, uniform failures and throttling."""

from __future__ import annotations


def test_login_returns_a_user_token_with_the_client_name(client, auth):
    account = auth.account(client_name="Acme Outdoor")
    response = client.post("/oauth/login", json={"email": account.email.upper(), "password": account.password})
    assert response.status_code == 200
    assert response.json["client_name"] == "Acme Outdoor"
    assert response.json["token_type"] == "bearer" and response.json["expires_in"] == 3600
    me = client.get("/v1/account", headers={"Authorization": f"Bearer {response.json['access_token']}"}).json
    assert me["principal"]["type"] == "user" and me["principal"]["email"] == account.email
    assert me["account_id"] == account.account_id


def test_wrong_email_and_wrong_password_look_the_same(client, auth):
    account = auth.account()
    wrong_password = client.post("/oauth/login", json={"email": account.email, "password": "not the password"})
    wrong_email = client.post("/oauth/login", json={"email": "stranger@shop.test", "password": account.password})
    assert wrong_password.status_code == wrong_email.status_code == 401
    assert wrong_password.json == wrong_email.json


def test_unverified_user_is_told_to_verify(client, auth):
    account = auth.register()
    response = client.post("/oauth/login", json={"email": account.email, "password": account.password})
    assert response.status_code == 403
    assert response.json["error"] == "account_not_verified" and "verif" in response.json["detail"]


def test_repeated_failures_are_throttled_then_released(client, auth, clock):
    account = auth.account()
    for _ in range(5):
        assert client.post("/oauth/login", json={"email": account.email, "password": "guess-guess"}).status_code == 401
    blocked = client.post("/oauth/login", json={"email": account.email, "password": account.password})
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60 + 1
    clock.advance(15 * 60 + 1)
    assert client.post("/oauth/login", json={"email": account.email, "password": account.password}).status_code == 200


def test_successful_login_resets_the_failure_count(client, auth):
    account = auth.account()
    for _ in range(4):
        client.post("/oauth/login", json={"email": account.email, "password": "guess-guess"})
    assert client.post("/oauth/login", json={"email": account.email, "password": account.password}).status_code == 200
    for _ in range(4):
        client.post("/oauth/login", json={"email": account.email, "password": "guess-guess"})
    assert client.post("/oauth/login", json={"email": account.email, "password": account.password}).status_code == 200


def test_login_body_must_be_json_with_both_fields(client):
    assert client.post("/oauth/login", data={"email": "a@b.test", "password": "x"}).status_code == 415
    missing = client.post("/oauth/login", json={"email": "a@shop.test"})
    assert missing.status_code == 422 and missing.json["field"] == "password"
