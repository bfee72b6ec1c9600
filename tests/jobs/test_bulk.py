"""Bulk indexing jobs: per-item results, precise errors, progress and signed callbacks."""

from __future__ import annotations

import json
import time

from werkzeug import Response

from bridge.webhooks.delivery import verify_signature


def _bulk(client, account, products, **extra):
    return client.post("/v1/products/bulk", json={"products": products, **extra}, headers=account.headers)


def test_bulk_job_indexes_good_products_and_reports_broken_ones(client, auth, images, services):
    account = auth.account()
    names = images.names()[:12]
    products = [{"product_id": f"p{i}", "image_url": images.url(name)} for i, name in enumerate(names)]
    products[3]["image_url"] = images.url("gone.jpg")
    products[7]["image_url"] = images.url("also-gone.jpg")
    accepted = _bulk(client, account, products)
    assert accepted.status_code == 202
    assert accepted.json["status"] == "processing" and accepted.json["total"] == 12
    job_id = accepted.json["job_id"]
    assert client.get(f"/v1/jobs/{job_id}", headers=account.headers).json["status"] == "queued"

    services.job_worker.run_until_idle()

    job = client.get(f"/v1/jobs/{job_id}", headers=account.headers).json
    assert job["status"] == "completed"
    assert (job["total"], job["processed"], job["succeeded"], job["failed"]) == (12, 12, 10, 2)
    assert job["progress"] == 1.0 and job["duration_seconds"] is not None
    assert [(e["index"], e["product_id"], e["field"]) for e in job["errors"]] == [
        (3, "p3", "image_url"),
        (7, "p7", "image_url"),
    ]
    assert all("HTTP 404" in e["error"] for e in job["errors"])
    assert client.get("/v1/products", headers=account.headers).json["total"] == 10


def test_invalid_items_are_rejected_individually_at_submission(client, auth, services):
    account = auth.account()
    products = [
        {"product_id": "ok", "metadata": {"name": "Fine"}},
        {"metadata": {"name": "No id"}},
        {"product_id": "bad-price", "metadata": {"price": "free"}},
        "not an object",
    ]
    accepted = _bulk(client, account, products)
    assert accepted.status_code == 202 and accepted.json["rejected"] == 3
    services.job_worker.run_until_idle()
    job = client.get(f"/v1/jobs/{accepted.json['job_id']}", headers=account.headers).json
    assert job["succeeded"] == 1 and job["failed"] == 3
    assert [e["field"] for e in job["errors"]] == ["product_id", "metadata.price", "product"]


def test_bulk_envelope_errors_are_422(client, auth):
    account = auth.account()
    assert _bulk(client, account, []).json["field"] == "products"
    assert client.post("/v1/products/bulk", json={}, headers=account.headers).json["field"] == "products"
    bad_callback = _bulk(client, account, [{"product_id": "x"}], callback_url="not a url")
    assert bad_callback.status_code == 422 and bad_callback.json["field"] == "callback_url"


def test_finished_job_is_posted_signed_to_the_callback(client, auth, services, httpserver):
    received = []

    def receive(request):
        received.append((request.get_data(), dict(request.headers)))
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(receive)
    account = auth.account()
    accepted = _bulk(
        client,
        account,
        [{"product_id": "a", "metadata": {"name": "A"}}],
        callback_url=httpserver.url_for("/hook"),
        callback_secret="whsec_test_secret",
    )
    services.job_worker.run_until_idle()
    services.job_callbacks.close(wait=True)
    [(body, headers)] = received
    assert verify_signature(body, "whsec_test_secret", headers["X-Webhook-Signature"])
    event = json.loads(body)
    assert event["event"] == "job.completed"
    assert event["data"]["job_id"] == accepted.json["job_id"] and event["data"]["succeeded"] == 1
    job = client.get(f"/v1/jobs/{accepted.json['job_id']}", headers=account.headers).json
    assert job["callback_status"].startswith("delivered")


def test_jobs_are_private_to_their_account(client, auth):
    owner, other = auth.account(), auth.account()
    job_id = _bulk(client, owner, [{"product_id": "a"}]).json["job_id"]
    assert client.get(f"/v1/jobs/{job_id}", headers=other.headers).status_code == 404
    assert client.get("/v1/jobs/nope", headers=owner.headers).status_code == 404


def test_background_worker_picks_up_new_jobs(client, auth, services):
    account = auth.account()
    services.start_background()
    job_id = _bulk(client, account, [{"product_id": "a", "metadata": {"name": "A"}}]).json["job_id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if client.get(f"/v1/jobs/{job_id}", headers=account.headers).json["status"] == "completed":
            break
        time.sleep(0.05)  # polling a background thread, not timing it
    assert client.get(f"/v1/jobs/{job_id}", headers=account.headers).json["status"] == "completed"
