"""Signed POSTs with retries, for bulk-job callbacks now and account webhooks later.

The wire format is fixed by the reference API: the raw JSON body is signed with HMAC-SHA256
and sent as ``X-Webhook-Signature: sha256=<hex>``. ``X-Webhook-Id`` stays the same across
retries so receivers can drop duplicates; ``X-Webhook-Timestamp`` says when each attempt left.
Every attempt goes through ``bridge.outbound.guarded_request``, so callbacks get the same
SSRF, size and time guard as image fetches.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from bridge.httpretry import retry_after as parse_retry_after
from bridge.outbound import OutboundError, OutboundPolicy, guarded_request

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Webhook-Signature"
# Transport failures worth another try; SSRF refusals, bad schemes and the like are not.
RETRIABLE_REASONS = frozenset({"timeout", "connection", "dns"})


@dataclass(frozen=True)
class DeliveryResult:
    """How a delivery ended, for the caller to store next to the job or webhook it belongs to."""

    delivered: bool
    attempts: int
    status_code: int | None
    error: str | None
    delivery_id: str


@dataclass(frozen=True)
class _Attempt:
    """What one POST came to. ``error`` is None exactly when the receiver answered 2xx."""

    status_code: int | None
    error: str | None
    reason: str | None = None
    retriable: bool = False
    retry_after: float | None = None


def sign(body: bytes, secret: str) -> str:
    """The ``X-Webhook-Signature`` value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, secret: str, header: str) -> bool:
    """Whether ``header`` signs ``body`` with ``secret``; constant-time, as receivers should be."""
    return hmac.compare_digest(sign(body, secret).encode(), header.encode())


def encode_payload(payload: Mapping[str, Any]) -> bytes:
    """Compact JSON with sorted keys: the exact bytes that are signed and sent on every attempt."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def deliver(
    url: str,
    payload: Mapping[str, Any],
    secret: str,
    policy: OutboundPolicy,
    *,
    max_attempts: int = 5,
    base_delay: float = 1.0,
    max_delay: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    session: requests.Session | None = None,
    delivery_id: str | None = None,
    field: str = "callback_url",
) -> DeliveryResult:
    """POST ``payload`` to ``url`` until it is accepted, refused for good, or attempts run out.

    Never raises for delivery problems: the result says what happened, for the caller to store.
    Pass ``delivery_id`` to keep the id stable across a restart of the whole delivery.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    body = encode_payload(payload)
    signature = sign(body, secret)
    delivery_id = delivery_id or uuid.uuid4().hex
    rng = rng or random.Random()
    for number in range(1, max_attempts + 1):
        headers = _headers(signature, delivery_id, policy)
        attempt = _post(url, body, headers, policy, field, session)
        _log_attempt(delivery_id, number, max_attempts, url, attempt)
        if attempt.error is None:
            return DeliveryResult(True, number, attempt.status_code, None, delivery_id)
        if not attempt.retriable or number == max_attempts:
            break
        sleep(backoff_delay(number, attempt.retry_after, base_delay, max_delay, rng))
    return DeliveryResult(False, number, attempt.status_code, attempt.error, delivery_id)


def backoff_delay(
    attempt: int, retry_after: float | None, base_delay: float, max_delay: float, rng: random.Random
) -> float:
    """Seconds to wait after failed ``attempt`` (1-based): the receiver's Retry-After when it gave
    one, else exponential backoff with full jitter, so a fleet of retries does not arrive at once."""
    if retry_after is not None:
        return min(retry_after, max_delay)
    return rng.uniform(0, min(max_delay, base_delay * 2 ** min(attempt - 1, 32)))


def _headers(signature: str, delivery_id: str, policy: OutboundPolicy) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": policy.user_agent,
        "X-Webhook-Id": delivery_id,
        "X-Webhook-Timestamp": str(int(time.time())),
        SIGNATURE_HEADER: signature,
    }


def _post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    policy: OutboundPolicy,
    field: str,
    session: requests.Session | None,
) -> _Attempt:
    """One attempt, classified: 2xx delivered; 429, 5xx and transport failures retriable."""
    try:
        response = guarded_request(
            "POST", url, policy, data=body, headers=headers, field=field, session=session, read_body=False
        )
    except OutboundError as exc:
        return _Attempt(None, exc.message, exc.reason, exc.reason in RETRIABLE_REASONS)
    status = response.status
    if 200 <= status < 300:
        return _Attempt(status, None)
    retriable = status == 429 or status >= 500
    retry_after = parse_retry_after(response.headers) if status in (429, 503) else None
    return _Attempt(status, f"{field}: HTTP {status} from {response.url}", "http_status", retriable, retry_after)


def _log_attempt(delivery_id: str, number: int, max_attempts: int, url: str, attempt: _Attempt) -> None:
    parts = urlsplit(url)
    where = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"  # no credentials, no query
    outcome = "delivered" if attempt.error is None else f"failed ({attempt.reason}, retriable={attempt.retriable})"
    level = logging.INFO if attempt.error is None else logging.WARNING
    log.log(
        level,
        "Webhook %s attempt %s/%s to %s: status %s, %s",
        delivery_id,
        number,
        max_attempts,
        where,
        attempt.status_code,
        outcome,
    )
