"""Bearer authentication on /v1: every bad token is a 401 with a WWW-Authenticate challenge."""

from __future__ import annotations

import jwt
import pytest


def test_missing_token_gets_a_plain_challenge(client):
    response = client.get("/v1/account")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="bridge"'
    assert response.json["error"] == "unauthorized"


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic abc", "Token abc", "bearer not.a.jwt"])
def test_malformed_headers_and_tokens_are_invalid_token(client, header):
    response = client.get("/v1/account", headers={"Authorization": header})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_expired_token_is_refused(client, auth, clock):
    account = auth.account()
    clock.advance(3601)
    response = client.get("/v1/account", headers=account.headers)
    assert response.status_code == 401 and "expired" in response.json["detail"]


def test_token_signed_with_another_key_is_refused(client, auth):
    account = auth.account()
    claims = jwt.decode(account.token, options={"verify_signature": False})
    forged = jwt.encode(claims, "not-the-server-key-but-long-enough-for-hs256", algorithm="HS256")
    assert client.get("/v1/account", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_unsigned_token_is_refused(client, auth):
    account = auth.account()
    claims = jwt.decode(account.token, options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert client.get("/v1/account", headers={"Authorization": f"Bearer {unsigned}"}).status_code == 401


def test_account_endpoint_reports_identity_and_plan(client, auth):
    account = auth.account(client_name="Nordic Knits")
    body = client.get("/v1/account", headers=account.headers).json
    assert body["client_name"] == "Nordic Knits"
    assert body["client_id"] == account.client_id
    assert body["plan"] == {"name": "free"}
    assert body["verified"] is True
    assert "client_secret" not in body
