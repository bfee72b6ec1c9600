"""Fixtures for connector tests: an app whose connectors never really sleep, photos on the
fake shop's server, and a merchant who sets up and syncs connectors through the HTTP API."""

from __future__ import annotations

from typing import Any

import pytest

from bridge import create_app
from tests.conftest import ImageServer, app_settings


@pytest.fixture
def sleeps() -> list[float]:
    """Every pause the connectors asked for; nothing really sleeps."""
    return []


@pytest.fixture
def app(tmp_path, clock, sleeps):
    app = create_app(app_settings(tmp_path / "var", CLOCK=clock, CONNECTOR_SLEEP=sleeps.append))
    yield app
    app.extensions["bridge"].close()


@pytest.fixture
def photos(server) -> ImageServer:
    """Product photos on the same threaded loopback server as the fake platform."""
    return ImageServer(server)


class Merchant:
    """An account that sets up connectors and syncs them through the public HTTP API."""

    def __init__(self, client, services, account):
        self.client, self.services, self.account = client, services, account

    def connect(self, platform: str, shop_url: str, credentials: dict, **extra) -> dict:
        body = {"platform": platform, "shop_url": shop_url, "credentials": credentials, **extra}
        response = self.client.post("/v1/connectors", json=body, headers=self.account.headers)
        assert response.status_code == 201, response.json
        return response.json

    def sync(self, connector_id: str, mode: str = "full") -> dict:
        response = self.client.post(
            f"/v1/connectors/{connector_id}/sync", json={"mode": mode}, headers=self.account.headers
        )
        assert response.status_code == 202, response.json
        self.services.syncs.wait_idle()
        return self.run(connector_id, response.json["id"])

    def run(self, connector_id: str, run_id: str) -> dict:
        return self.client.get(f"/v1/connectors/{connector_id}/runs/{run_id}", headers=self.account.headers).json

    def products(self) -> dict[str, Any]:
        catalog = self.services.catalog
        page = catalog.page(self.account.account_id, None, 1, 100)
        rows = list(page["products"])
        for number in range(2, page["pages"] + 1):
            rows += catalog.page(self.account.account_id, None, number, 100)["products"]
        return {row.product_id: row for row in rows}

    def failed_items(self, connector_id: str) -> list[dict]:
        response = self.client.get(
            f"/v1/connectors/{connector_id}/failed-items?per_page=100", headers=self.account.headers
        )
        return response.json["failed_items"]


@pytest.fixture
def merchant(client, services, auth) -> Merchant:
    return Merchant(client, services, auth.account())
