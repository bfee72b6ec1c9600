"""Signed webhook deliveries: the signature, retries with backoff, and what is never retried.

A real HTTP server on 127.0.0.1 plays the receiver and scripts its answers; ``sleep`` is
injected, so no test waits for a backoff.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bridge.outbound import OutboundPolicy
from bridge.webhooks.delivery import backoff_delay, deliver, encode_payload, sign, verify_signature
from tests.conftest import free_port

LOOPBACK = OutboundPolicy(allow_private=True)
SECRET = "whsec-test-7c1f"
PAYLOAD = {"job_id": "job_42", "status": "completed", "counts": {"ok": 3, "failed": 1}}


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]


@pytest.fixture
def sleeps() -> list[float]:
    return []


def receiver(server: HTTPServer, *answers: tuple[int, dict[str, str]]) -> list[Received]:
    """Answer POST /hook with ``answers`` in turn (the last one repeats); record what arrives."""
    received: list[Received] = []

    def handle(request: Request) -> Response:
        received.append(Received(request.get_data(), dict(request.headers)))
        status, headers = answers[min(len(received), len(answers)) - 1]
        return Response("", status=status, headers=headers)

    server.expect_request("/hook", method="POST").respond_with_handler(handle)
    return received


def send(server: HTTPServer, sleeps: list[float], **options) -> object:
    options.setdefault("rng", random.Random(7))
    return deliver(server.url_for("/hook"), PAYLOAD, SECRET, LOOPBACK, sleep=sleeps.append, **options)


def test_delivery_is_signed_so_the_receiver_can_verify_it_with_the_secret(server, sleeps):
    received = receiver(server, (200, {}))

    result = send(server, sleeps)

    assert (result.delivered, result.attempts, result.status_code, result.error) == (True, 1, 200, None)
    request = received[0]
    assert request.body == b'{"counts":{"failed":1,"ok":3},"job_id":"job_42","status":"completed"}'
    assert json.loads(request.body) == PAYLOAD
    assert verify_signature(request.body, SECRET, request.headers["X-Webhook-Signature"])
    assert request.headers["X-Webhook-Id"] == result.delivery_id
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == LOOPBACK.user_agent
    assert abs(int(request.headers["X-Webhook-Timestamp"]) - time.time()) < 5


def test_signature_is_hex_hmac_sha256_of_the_raw_body():
    # Computed independently: printf '{"a":1}' | openssl dgst -sha256 -hmac s
    assert sign(b'{"a":1}', "s") == "sha256=37beaf650f70b40ec9706929c2e9d835cbd63729988f48781e6383a147215f07"


@pytest.mark.parametrize(
    ("body", "secret", "header"),
    [
        (b"tampered", SECRET, sign(b"original", SECRET)),
        (b"original", "wrong-secret", sign(b"original", SECRET)),
        (b"original", SECRET, "sha256=not-hex"),
        (b"original", SECRET, "sha256=é"),
        (b"original", SECRET, ""),
    ],
)
def test_verify_signature_rejects_a_wrong_body_secret_or_header(body, secret, header):
    assert not verify_signature(body, secret, header)


def test_retry_after_a_502_succeeds_on_attempt_2_with_one_jittered_backoff(server, sleeps):
    received = receiver(server, (502, {}), (200, {}))

    result = send(server, sleeps, base_delay=2.0)

    assert (result.delivered, result.attempts, result.status_code) == (True, 2, 200)
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 2.0
    assert len(received) == 2 and received[0].body == received[1].body


def test_every_retry_sends_the_same_body_signature_and_delivery_id(server, sleeps):
    received = receiver(server, (503, {}), (500, {}), (204, {}))

    result = send(server, sleeps)

    assert result.delivered and result.attempts == 3
    assert len({r.body for r in received}) == 1
    assert {r.headers["X-Webhook-Id"] for r in received} == {result.delivery_id}
    assert len({r.headers["X-Webhook-Signature"] for r in received}) == 1
    assert received[0].body == encode_payload(PAYLOAD)


def test_a_429_waits_for_the_retry_after_seconds(server, sleeps):
    receiver(server, (429, {"Retry-After": "3"}), (200, {}))

    result = send(server, sleeps)

    assert result.delivered and result.attempts == 2
    assert sleeps == [3.0]


def test_retry_after_is_capped_at_max_delay(server, sleeps):
    receiver(server, (429, {"Retry-After": "3600"}), (200, {}))

    send(server, sleeps, max_delay=60.0)

    assert sleeps == [60.0]


def test_a_400_is_not_retried(server, sleeps):
    received = receiver(server, (400, {}))

    result = send(server, sleeps)

    assert (result.delivered, result.attempts, result.status_code) == (False, 1, 400)
    assert result.error == f"callback_url: HTTP 400 from {server.url_for('/hook')}"
    assert sleeps == [] and len(received) == 1


def test_exhausting_the_attempts_reports_the_last_error(server, sleeps):
    received = receiver(server, (500, {}), (502, {}), (503, {}))

    result = send(server, sleeps, max_attempts=3)

    assert (result.delivered, result.attempts, result.status_code) == (False, 3, 503)
    assert result.error == f"callback_url: HTTP 503 from {server.url_for('/hook')}"
    assert len(received) == 3 and len(sleeps) == 2


def test_backoff_grows_exponentially_with_full_jitter_up_to_max_delay():
    rng = random.Random(3)
    delays = [[backoff_delay(attempt, None, 1.0, 10.0, rng) for _ in range(200)] for attempt in range(1, 7)]

    for attempt, samples in enumerate(delays, start=1):
        ceiling = min(10.0, 2 ** (attempt - 1))
        assert all(0 <= delay <= ceiling for delay in samples)
        assert max(samples) > ceiling * 0.8  # the whole range is used, not just its top
    assert backoff_delay(4, 7.0, 1.0, 60.0, rng) == 7.0


def test_connection_failures_are_retried_until_attempts_run_out(sleeps):
    url = f"http://127.0.0.1:{free_port()}/hook"

    result = deliver(url, PAYLOAD, SECRET, LOOPBACK, max_attempts=3, sleep=sleeps.append, rng=random.Random(1))

    assert (result.delivered, result.attempts, result.status_code) == (False, 3, None)
    assert result.error == f"callback_url: could not connect to {url}"
    assert len(sleeps) == 2


def test_a_private_url_is_refused_without_any_request_or_retry(server, sleeps):
    received = receiver(server, (200, {}))

    result = deliver(server.url_for("/hook"), PAYLOAD, SECRET, OutboundPolicy(), sleep=sleeps.append)

    assert (result.delivered, result.attempts, result.status_code) == (False, 1, None)
    assert "resolves to a private address (127.0.0.1)" in result.error
    assert received == [] and sleeps == []


def test_a_redirect_is_not_followed_as_a_get_and_not_retried(server, sleeps):
    receiver(server, (302, {"Location": "/elsewhere"}))

    result = send(server, sleeps)

    assert (result.delivered, result.attempts, result.status_code) == (False, 1, 302)
    assert len(server.log) == 1


def test_a_307_redirect_repeats_the_signed_post_at_the_new_location(server, sleeps):
    receiver(server, (307, {"Location": "/hook/v2"}))
    moved: list[bytes] = []
    server.expect_request("/hook/v2", method="POST").respond_with_handler(
        lambda request: moved.append(request.get_data()) or Response("", status=200)
    )

    result = send(server, sleeps)

    assert result.delivered and result.status_code == 200
    assert moved == [encode_payload(PAYLOAD)]


def test_attempts_are_logged_with_ids_but_never_the_secret(server, sleeps, caplog):
    receiver(server, (500, {}), (200, {}))

    with caplog.at_level(logging.INFO, logger="bridge.webhooks.delivery"):
        result = send(server, sleeps)

    ours = [record for record in caplog.records if record.name == "bridge.webhooks.delivery"]
    assert [record.levelno for record in ours] == [logging.WARNING, logging.INFO]
    assert all(result.delivery_id in record.getMessage() for record in ours)
    assert SECRET not in caplog.text
    assert sign(encode_payload(PAYLOAD), SECRET) not in caplog.text


def test_a_delivery_id_given_by_the_caller_is_kept(server, sleeps):
    received = receiver(server, (200, {}))

    result = send(server, sleeps, delivery_id="dlv_0001")

    assert result.delivery_id == "dlv_0001" == received[0].headers["X-Webhook-Id"]
