"""Webhook signatures: base64 HMAC-SHA256 of the raw body, compared in constant time.

Shopify (``X-Shopify-Hmac-Sha256``), WooCommerce (``X-WC-Webhook-Signature``) and Bridge's own
CS-Cart add-on (``X-Bridge-Signature``) all use this scheme. It is always computed over the
bytes as received: WooCommerce escapes ``/`` as ``\\/``, so re-serialised JSON never matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


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
