"""Liveness, readiness and the OpenAPI document."""

from __future__ import annotations

import re

import pytest


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_reports_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ready"
    assert response.json["checks"]["database"] == {"ok": True, "backend": "sqlite"}


def test_readyz_is_503_when_the_database_is_gone(app, client, monkeypatch):
    def broken():
        raise OSError("disk gone")

    monkeypatch.setattr(app.extensions["bridge"].db, "ping", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"]["ok"] is False


@pytest.fixture
def spec(client):
    return client.get("/openapi.json").json


def test_every_endpoint_is_documented_with_schemas(spec, app):
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(rule))
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith(("/docs", "/openapi.json", "/static", "/demo/images", "/widgets"))
    }
    assert routes <= set(spec["paths"]), routes - set(spec["paths"])
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation.get("summary"), f"{method} {path} has no summary"
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert success, f"{method} {path} documents no success response"
            assert "content" in operation["responses"][success[0]], f"{method} {path} success has no schema"
            bodiless = ("/v1/account/credentials/regenerate", "/v1/products/demo")
            if method in ("post", "put", "patch") and path not in bodiless:
                assert "requestBody" in operation, f"{method} {path} has no request body"


def test_public_endpoints_need_no_token_and_v1_needs_bearer(spec):
    assert spec["security"] == [{"bearerAuth": []}]
    for path in ("/register", "/oauth/token", "/oauth/login", "/healthz"):
        for operation in spec["paths"][path].values():
            assert operation["security"] == []
    assert "security" not in spec["paths"]["/v1/account"]["get"]


def test_token_endpoint_documents_both_encodings_and_rfc_errors(spec):
    token = spec["paths"]["/oauth/token"]["post"]
    assert set(token["requestBody"]["content"]) == {"application/x-www-form-urlencoded", "application/json"}
    assert {"200", "400", "401", "403"} <= set(token["responses"])


def test_schemas_carry_examples(spec):
    register = spec["components"]["schemas"]["Register"]["properties"]
    assert register["email"]["example"] and register["client_name"]["example"]


def test_interactive_docs_work_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200 and b"/docs/assets/swagger-ui-bundle.js" in page.data
    with client.get("/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200 and len(asset.data) > 100_000
