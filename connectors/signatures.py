"""Signatures: webhooks (base64 HMAC-SHA256 of the raw body, compared in constant time), HTTP
Basic values, and OAuth 1.0a request signing.

Shopify (``X-Shopify-Hmac-Sha256``), WooCommerce (``X-WC-Webhook-Signature``) and Bridge's own
CS-Cart add-on (``X-Bridge-Signature``) all use this scheme. It is always computed over the
bytes as received: WooCommerce escapes ``/`` as ``\\/``, so re-serialised JSON never matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from urllib.parse import quote


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify(secrets: Iterable[str | None], body: bytes, signature: str | None) -> bool:
    """True when ``signature`` matches under any of ``secrets`` (the current and, while a
    rotation is under way, the previous one). Every secret is tried, to keep timing flat."""
    if not signature:
        return False
    matches = [hmac.compare_digest(sign(secret, body), signature.strip()) for secret in secrets if secret is not None]
    return any(matches)


def basic_auth(user: str, password: str) -> str:
    """An ``Authorization: Basic`` value (WooCommerce keys, CS-Cart e-mail and API key)."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def oauth1_signature(
    method: str,
    url: str,
    params: dict[str, str],
    consumer_secret: str,
    token_secret: str = "",
    algorithm: str = "HMAC-SHA256",
) -> str:
    """An OAuth 1.0a (RFC 5849) signature: the sorted, encoded parameters and the URL without its
    query, signed with ``consumer_secret&token_secret``. WooCommerce requires it over plain HTTP,
    where Basic auth would send the keys in the clear."""
    pairs = sorted((_rfc3986(str(key)), _rfc3986(str(value))) for key, value in params.items())
    normalized = "&".join(f"{key}={value}" for key, value in pairs)
    base = "&".join((method.upper(), _rfc3986(url), _rfc3986(normalized)))
    key = f"{_rfc3986(consumer_secret)}&{_rfc3986(token_secret)}"
    digest = hashlib.sha256 if algorithm == "HMAC-SHA256" else hashlib.sha1
    return base64.b64encode(hmac.new(key.encode(), base.encode(), digest).digest()).decode()


def oauth1_params(method: str, url: str, params: dict[str, str], consumer_key: str, consumer_secret: str) -> dict:
    """``params`` plus the one-legged OAuth parameters and their signature, for the query string."""
    oauth = {
        "oauth_consumer_key": consumer_key,
        "oauth_nonce": secrets.token_hex(16),
        "oauth_signature_method": "HMAC-SHA256",
        "oauth_timestamp": str(int(time.time())),
    }
    signed = {**{key: str(value) for key, value in params.items()}, **oauth}
    return {**signed, "oauth_signature": oauth1_signature(method, url, signed, consumer_secret)}


def _rfc3986(value: str) -> str:
    return quote(value, safe="")
