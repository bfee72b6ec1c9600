"""Reading a server's ``Retry-After``: shared by webhook delivery and the platform connectors."""

from __future__ import annotations

import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime


def retry_after(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` in seconds: a number (Shopify sends ``2.0``) or an HTTP date; None if absent
    or unreadable, so the caller falls back to its own backoff."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None
