"""POST /oauth/token: the client credentials grant and its RFC 6749 §5.2 errors."""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

import pytest


def _basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


@pytest.fixture
def verified(auth):
    account = auth.register()
    auth.verify(account)
    return account


def test_form_encoded_client_credentials_give_a_bearer_token(client, verified):
    response = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": verified.client_id,
            "client_secret": verified.client_secret,
        },
    )
    assert response.status_code == 200
    assert response.json["token_type"] == "bearer" and response.json["expires_in"] == 3600
    assert response.headers["Cache-Control"] == "no-store"
    me = client.get("/v1/account", headers={"Authorization": f"Bearer {response.json['access_token']}"})
    assert me.json["client_id"] == verified.client_id and me.json["principal"]["type"] == "owner"


def test_json_body_works_as_in_the_reference_playground(client, verified):
    response = client.post(
        "/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": verified.client_id,
            "client_secret": verified.client_secret,
        },
    )
    assert response.status_code == 200 and response.json["access_token"]


def test_http_basic_client_authentication(client, verified):
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=_basic(verified.client_id, verified.client_secret),
    )
    assert response.status_code == 200


def test_wrong_basic_secret_is_invalid_client_with_basic_challenge(client, verified):
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=_basic(verified.client_id, "bs_wrong")
    )
    assert response.status_code == 401
    assert response.json["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize(
    ("client_id", "secret"), [("unknown", "bs_x"), (None, "bs_wrong")], ids=["unknown-client", "wrong-secret"]
)
def test_bad_client_credentials_get_the_same_invalid_client(client, verified, client_id, secret):
    response = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id or verified.client_id,
            "client_secret": secret,
        },
    )
    assert response.status_code == 401
    assert response.json["error"] == "invalid_client"
    assert set(response.json) == {"error", "error_description"}


def test_missing_client_authentication_is_invalid_client(client):
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert response.status_code == 401 and response.json["error"] == "invalid_client"


def test_unverified_account_gets_403_telling_it_to_verify(client, auth):
    account = auth.register()
    response = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": account.client_id,
            "client_secret": account.client_secret,
        },
    )
    assert response.status_code == 403
    assert response.json["error"] == "unauthorized_client"
    assert "verif" in response.json["error_description"].lower()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "invalid_request"),
        ({"grant_type": "password", "username": "u", "password": "p"}, "unsupported_grant_type"),
        ({"grant_type": "authorization_code", "code": "x"}, "unsupported_grant_type"),
    ],
)
def test_grant_type_errors(client, data, error):
    response = client.post("/oauth/token", data=data)
    assert response.status_code == 400 and response.json["error"] == error


def test_repeated_parameters_are_invalid_request(client, verified):
    response = client.post(
        "/oauth/token",
        data="grant_type=client_credentials&grant_type=client_credentials&client_id=a&client_secret=b",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400 and response.json["error"] == "invalid_request"


def test_basic_and_body_credentials_together_are_refused(client, verified):
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": verified.client_id},
        headers=_basic(verified.client_id, verified.client_secret),
    )
    assert response.status_code == 400 and response.json["error"] == "invalid_request"


def test_malformed_json_and_wrong_types_are_invalid_request(client):
    bad_json = client.post("/oauth/token", data="{grant_type", content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.json["error"] == "invalid_request"
    not_object = client.post("/oauth/token", json=["client_credentials"])
    assert not_object.status_code == 400 and not_object.json["error"] == "invalid_request"
    wrong_type = client.post(
        "/oauth/token", json={"grant_type": "client_credentials", "client_id": 5, "client_secret": "x"}
    )
    assert wrong_type.status_code == 400 and "client_id" in wrong_type.json["error_description"]


def test_other_content_types_are_refused(client):
    response = client.post("/oauth/token", data="grant_type=client_credentials", content_type="text/plain")
    assert response.status_code == 415
