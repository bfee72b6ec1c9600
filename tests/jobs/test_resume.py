"""A server killed mid-job loses nothing: the job resumes when the server starts again."""

from __future__ import annotations

import email
import re
import time

import pytest
import requests

from tests.conftest import PASSWORD, ImageServer
from tests.live_server import live_server, slow_image_server

pytestmark = pytest.mark.server
BROKEN = {17, 60, 101, 150, 199}


def _verified_token(base: str, data_dir) -> dict[str, str]:
    body = {"client_name": "Crash Shop", "email": "crash@shop.test", "password": PASSWORD}
    credentials = requests.post(f"{base}/register", json=body, timeout=10).json()
    [mail] = [email.message_from_bytes(p.read_bytes()) for p in (data_dir / "outbox").glob("*.eml")]
    token = re.search(r"token=([\w-]+)", mail.get_payload(decode=True).decode()).group(1)
    requests.get(f"{base}/verify", params={"token": token}, timeout=10).raise_for_status()
    form = {"grant_type": "client_credentials", **{k: credentials[k] for k in ("client_id", "client_secret")}}
    return {
        "Authorization": "Bearer " + requests.post(f"{base}/oauth/token", data=form, timeout=10).json()["access_token"]
    }


def _wait_for(condition, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)  # polling the server, not timing it
    raise AssertionError("condition not reached in time")


def test_bulk_job_of_200_survives_a_hard_kill(tmp_path):
    photos = ImageServer.names()
    with slow_image_server(delay=0.15) as image_base:
        products = [
            {
                "product_id": f"p{i:03d}",
                "image_url": f"{image_base}/{'missing' if i in BROKEN else photos[i % len(photos)]}",
                "metadata": {"name": f"Product {i}"},
            }
            for i in range(200)
        ]
        env = {"BRIDGE_ALLOW_PRIVATE_URLS": "on"}
        with live_server(tmp_path, **env) as server:
            headers = _verified_token(server.url, tmp_path)
            job_id = requests.post(
                f"{server.url}/v1/products/bulk", json={"products": products}, headers=headers, timeout=30
            ).json()["job_id"]

            def job():
                return requests.get(f"{server.url}/v1/jobs/{job_id}", headers=headers, timeout=10).json()

            processed_before = _wait_for(lambda: job()["processed"] >= 32 and job()["processed"])
            assert processed_before < 200, "the job must still be running when the server dies"
            server.kill_hard()

        with live_server(tmp_path, **env) as server:
            final = _wait_for(lambda: (j := job_at(server.url, job_id, headers))["status"] == "completed" and j)
            listing = requests.get(f"{server.url}/v1/products?per_page=100", headers=headers, timeout=10).json()
            ids = {p["product_id"] for page in (1, 2) for p in _page(server.url, headers, page)}

    assert (final["succeeded"], final["failed"], final["processed"]) == (195, 5, 200)
    assert sorted(e["index"] for e in final["errors"]) == sorted(BROKEN)
    assert all(e["field"] == "image_url" and "404" in e["error"] for e in final["errors"])
    assert listing["total"] == 195 and len(ids) == 195


def job_at(base: str, job_id: str, headers: dict) -> dict:
    return requests.get(f"{base}/v1/jobs/{job_id}", headers=headers, timeout=10).json()


def _page(base: str, headers: dict, page: int) -> list[dict]:
    return requests.get(
        f"{base}/v1/products", params={"per_page": 100, "page": page}, headers=headers, timeout=10
    ).json()["products"]
