"""Allowed origins of a publishable key: how they are written and how an origin matches.

An entry is an exact origin (``https://shop.example.com``, ``http://127.0.0.1:8080``) or,
only when written so, a wildcard over subdomains (``https://*.example.com``), which
matches ``https://a.example.com`` and ``https://a.b.example.com`` but not the bare
``https://example.com``. Scheme and port always have to match: a key allowed on
``https://`` is not allowed on ``http://``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bridge.errors import InvalidInputError

DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST = re.compile(r"^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:]+\]$")
MAX_ORIGINS = 50


def normalize_origin(entry: str, field: str = "allowed_origins") -> str:
    """``scheme://host[:port]`` lower-cased, default port dropped; anything else is refused."""
    text = entry.strip().lower().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path or parts.query or parts.fragment:
        raise InvalidInputError(
            f"{field}: {entry!r} is not an origin; write scheme://host[:port], e.g. https://shop.example.com.",
            field=field,
        )
    host = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
    if "@" in parts.netloc or not _HOST.match(host) or "*" in host[2:]:
        raise InvalidInputError(
            f"{field}: {entry!r} has an invalid host; a wildcard may only stand first, as in https://*.example.com.",
            field=field,
        )
    port = parts.port
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != DEFAULT_PORTS[parts.scheme] else "")


def normalize_origins(entries: list[str]) -> list[str]:
    if len(entries) > MAX_ORIGINS:
        raise InvalidInputError(f"allowed_origins: at most {MAX_ORIGINS} origins.", field="allowed_origins")
    return list(dict.fromkeys(normalize_origin(entry, f"allowed_origins[{i}]") for i, entry in enumerate(entries)))


def origin_allowed(origin: str, allowed: list[str]) -> bool:
    """Whether a browser's ``Origin`` header is one of the allowed entries."""
    try:
        candidate = normalize_origin(origin)
    except InvalidInputError:
        return False
    if "*" in candidate:
        return False
    scheme, _, rest = candidate.partition("://")
    for entry in allowed:
        if entry == candidate:
            return True
        entry_scheme, _, entry_rest = entry.partition("://")
        if entry_rest.startswith("*.") and entry_scheme == scheme and rest.endswith(entry_rest[1:]):
            return True
    return False
