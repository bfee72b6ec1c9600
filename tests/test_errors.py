"""Bad input anywhere under /oauth and /v1 gets the JSON error shape, never HTML."""

from __future__ import annotations

import pytest

from bridge import create_app
from tests.conftest import PASSWORD, app_settings


def _assert_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert {"error", "status", "title", "detail", "field"} <= set(response.json)
    assert response.json["status"] == status


def test_malformed_json_is_400_and_writes_nothing(client, app):
    response = client.post("/register", data='{"client_name": "x", ', content_type="application/json")
    _assert_problem(response, 400)
    assert response.json["error"] == "malformed_request"
    with app.extensions["bridge"].db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM accounts").scalar() == 0


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_wrong_content_type_is_415(client, content_type):
    response = client.post("/register", data="client_name=x", content_type=content_type)
    _assert_problem(response, 415)
    assert "application/json" in response.json["detail"]


def test_json_array_instead_of_object_names_the_body(client):
    response = client.post("/register", json=[1, 2])
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/json"


def test_wrong_field_types_name_the_field(client):
    response = client.post("/register", json={"client_name": 42, "email": "a@shop.test", "password": PASSWORD})
    _assert_problem(response, 422)
    assert response.json["field"] == "client_name"


def test_oversized_body_is_413_json(tmp_path):
    app = create_app(app_settings(tmp_path, MAX_CONTENT_LENGTH=1024))
    client = app.test_client()
    response = client.post("/register", json={"client_name": "x" * 5000, "email": "a@shop.test", "password": PASSWORD})
    _assert_problem(response, 413)
    token = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_secret": "x" * 5000})
    assert token.status_code == 413 and token.mimetype == "application/json"
    app.extensions["bridge"].close()


@pytest.mark.parametrize("path", ["/v1/nothing-here", "/oauth/nothing", "/nothing"])
def test_unknown_paths_are_json_404(client, path):
    _assert_problem(client.get(path), 404)


def test_wrong_method_is_json_405(client):
    _assert_problem(client.delete("/register"), 405)


def test_unexpected_errors_are_500_without_internals(app, client, monkeypatch):
    def explode(_token):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(app.extensions["bridge"].accounts, "authenticate", explode)
    response = client.get("/v1/account", headers={"Authorization": "Bearer x"})
    _assert_problem(response, 500)
    assert "secret internal detail" not in response.get_data(as_text=True)
