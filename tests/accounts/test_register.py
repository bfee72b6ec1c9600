"""Registration, email verification and re-sending the verification mail."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, outbox_messages, verification_token


def test_register_returns_credentials_once_and_sends_verification_mail(client, app):
    response = client.post(
        "/register", json={"client_name": "My Shop", "email": "Owner@Shop.test", "password": PASSWORD}
    )
    assert response.status_code == 201
    body = response.json
    assert body["email"] == "owner@shop.test"
    assert body["client_id"].startswith("bc_") and body["client_secret"].startswith("bs_")
    assert body["verification_required"] is True
    assert response.headers["Cache-Control"] == "no-store"
    [message] = outbox_messages(app)
    assert message["To"] == "owner@shop.test"
    assert "http://bridge.test/verify?token=" in message.get_payload(decode=True).decode()


def test_secret_is_stored_only_as_a_hash(client, app):
    body = client.post("/register", json={"client_name": "S", "email": "a@shop.test", "password": PASSWORD}).json
    database = app.extensions["bridge"].db
    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT client_secret_hash FROM accounts").fetchall()
        passwords = connection.exec_driver_sql("SELECT password_hash FROM users").fetchall()
    assert body["client_secret"] not in rows[0][0]
    assert passwords[0][0].startswith("$argon2id$") and PASSWORD not in passwords[0][0]


def test_duplicate_email_is_a_conflict_and_writes_nothing(client, app):
    client.post("/register", json={"client_name": "A", "email": "dup@shop.test", "password": PASSWORD})
    response = client.post("/register", json={"client_name": "B", "email": "DUP@shop.test", "password": PASSWORD})
    assert response.status_code == 409
    assert response.json["field"] == "email"
    with app.extensions["bridge"].db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM accounts").scalar() == 1
    assert len(outbox_messages(app)) == 1


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "at least 10"),
        ("1234567890", "easy to guess"),
        ("aaaaaaaaaaaa", "easy to guess"),
        ("x" * 129, "128"),
    ],
)
def test_password_policy_names_the_field(client, app, password, reason):
    response = client.post("/register", json={"client_name": "S", "email": "p@shop.test", "password": password})
    assert response.status_code == 422
    assert response.json["field"] == "password"
    assert reason in response.json["detail"]
    with app.extensions["bridge"].db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM accounts").scalar() == 0


def test_password_may_not_contain_the_email_name(client):
    response = client.post(
        "/register", json={"client_name": "S", "email": "margaret@shop.test", "password": "margaret-2026!"}
    )
    assert response.status_code == 422 and "email" in response.json["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a@shop.test", "password": PASSWORD}, "client_name"),
        ({"client_name": "S", "password": PASSWORD}, "email"),
        ({"client_name": "S", "email": "not-an-email", "password": PASSWORD}, "email"),
        ({"client_name": "S", "email": "a@shop.test"}, "password"),
        ({"client_name": "   ", "email": "a@shop.test", "password": PASSWORD}, "client_name"),
        ({"client_name": "S", "email": "a@shop.test", "password": PASSWORD, "plan": "enterprise"}, "plan"),
    ],
)
def test_bad_registration_bodies_name_the_field(client, body, field):
    response = client.post("/register", json=body)
    assert response.status_code == 422
    assert response.json["field"] == field
    assert field in response.json["errors"]


def test_verification_link_activates_the_account_once(client, app, auth):
    account = auth.register()
    token = verification_token(outbox_messages(app)[-1])
    first = client.get(f"/verify?token={token}")
    assert first.status_code == 200 and first.json["status"] == "verified"
    again = client.get(f"/verify?token={token}")
    assert again.status_code == 422 and again.json["field"] == "token"
    assert client.post("/oauth/login", json={"email": account.email, "password": account.password}).status_code == 200


def test_verification_link_expires(client, app, auth, clock):
    auth.register()
    token = verification_token(outbox_messages(app)[-1])
    clock.advance(48 * 3600 + 1)
    response = client.get(f"/verify?token={token}")
    assert response.status_code == 422
    assert "expired" in response.json["detail"] and "/verify/resend" in response.json["detail"]


def test_unknown_or_missing_verification_token(client):
    assert client.get("/verify?token=nonsense").json["field"] == "token"
    missing = client.get("/verify")
    assert missing.status_code == 422 and missing.json["field"] == "token"


def test_resend_sends_a_fresh_link_that_works(client, app, auth, clock):
    account = auth.register()
    clock.advance(49 * 3600)
    response = client.post("/verify/resend", json={"email": account.email})
    assert response.status_code == 202
    messages = outbox_messages(app)
    assert len(messages) == 2
    assert client.get(f"/verify?token={verification_token(messages[-1])}").status_code == 200


def test_resend_reveals_nothing_about_unknown_or_verified_emails(client, app, auth):
    account = auth.account()
    before = len(outbox_messages(app))
    assert client.post("/verify/resend", json={"email": "nobody@shop.test"}).status_code == 202
    assert client.post("/verify/resend", json={"email": account.email}).status_code == 202
    assert len(outbox_messages(app)) == before
