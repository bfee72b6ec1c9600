"""The README's walkthrough against a real gunicorn process on 127.0.0.1."""

from __future__ import annotations

import re

import pytest
import requests

from tests.conftest import PASSWORD
from tests.live_server import live_server

pytestmark = pytest.mark.server


def test_register_verify_tokens_account_and_regenerate_over_http(tmp_path, smtp_sink):
    with live_server(tmp_path, BRIDGE_SMTP_URL=smtp_sink.url, BRIDGE_PUBLIC_URL="http://shop.test") as server:
        base = server.url
        registered = requests.post(
            f"{base}/register",
            json={"client_name": "Live Shop", "email": "live@shop.test", "password": PASSWORD},
            timeout=10,
        )
        assert registered.status_code == 201
        credentials = registered.json()
        form = {"grant_type": "client_credentials", **{k: credentials[k] for k in ("client_id", "client_secret")}}
        assert requests.post(f"{base}/oauth/token", data=form, timeout=10).status_code == 403

        [mail] = smtp_sink.messages
        path = re.search(r"http://shop\.test(/verify\?token=[\w-]+)", mail.get_payload(decode=True).decode()).group(1)
        assert requests.get(base + path, timeout=10).json()["status"] == "verified"

        client_token = requests.post(f"{base}/oauth/token", data=form, timeout=10).json()["access_token"]
        login = requests.post(f"{base}/oauth/login", json={"email": "live@shop.test", "password": PASSWORD}, timeout=10)
        assert login.json()["client_name"] == "Live Shop"
        owner = {"Authorization": f"Bearer {client_token}"}
        assert (
            requests.get(f"{base}/v1/account", headers=owner, timeout=10).json()["client_id"]
            == credentials["client_id"]
        )

        regenerated = requests.post(f"{base}/v1/account/credentials/regenerate", headers=owner, timeout=10)
        assert regenerated.status_code == 200
        refused = requests.get(f"{base}/v1/account", headers=owner, timeout=10)
        assert refused.status_code == 401 and "invalid_token" in refused.headers["WWW-Authenticate"]

        assert requests.get(f"{base}/readyz", timeout=10).json()["status"] == "ready"
        oversized = requests.post(
            f"{base}/register", data=b"x" * (17 * 1024 * 1024), headers={"Content-Type": "application/json"}, timeout=30
        )
        assert oversized.status_code == 413 and oversized.json()["error"] == "request_entity_too_large"
