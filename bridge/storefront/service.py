"""Publishable keys: created by the merchant, embedded in shop pages, checked on every public call.

A key names its account, the origins whose pages may use it and its own rate limit. The
active keys are held in memory and re-read every :data:`CACHE_SECONDS` (at once after a
change made by this process), so checking a key costs no database round trip; a key
revoked in another process stops working within that time.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bridge.accounts.tokens import Principal
from bridge.db import Database
from bridge.errors import AuthenticationError, NotFoundError, PermissionDeniedError
from bridge.storefront.models import PublicKey
from bridge.storefront.origins import normalize_origins, origin_allowed
from bridge.storefront.ratelimit import RateLimiter

PUBLIC_KEY = "public_key"  # the Principal kind of a caller that showed a publishable key
KEY_PREFIX = "pk_"
CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class ActiveKey:
    id: str
    account_id: str
    allowed_origins: tuple[str, ...]
    rate_limit_per_minute: int


class PublicKeyService:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        limiter: RateLimiter,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self._db = db
        self._clock = clock
        self._limiter = limiter
        self._monotonic = monotonic
        self._active: dict[str, ActiveKey] = {}
        self._loaded_at: float | None = None
        self._lock = threading.Lock()

    # -- the merchant's side ------------------------------------------------------------

    def create(self, account_id: str, name: str, allowed_origins: list[str], rate_limit_per_minute: int) -> dict:
        key = PublicKey(
            account_id=account_id,
            key=KEY_PREFIX + secrets.token_urlsafe(24),
            name=name,
            allowed_origins=normalize_origins(allowed_origins),
            rate_limit_per_minute=rate_limit_per_minute,
            created_at=self._clock(),
        )
        with self._db.transaction() as session:
            session.add(key)
        self._invalidate()
        return key_view(key)

    def list(self, account_id: str) -> list[dict[str, Any]]:
        with self._db.transaction() as session:
            rows = session.scalars(
                select(PublicKey).where(PublicKey.account_id == account_id).order_by(PublicKey.created_at)
            ).all()
            return [key_view(row) for row in rows]

    def update(self, account_id: str, key_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        with self._db.transaction() as session:
            key = self._owned(session, account_id, key_id)
            if "allowed_origins" in changes:
                key.allowed_origins = normalize_origins(changes["allowed_origins"])
            for field in ("name", "rate_limit_per_minute"):
                if field in changes:
                    setattr(key, field, changes[field])
            view = key_view(key)
        self._invalidate()
        return view

    def revoke(self, account_id: str, key_id: str) -> dict[str, Any]:
        with self._db.transaction() as session:
            key = self._owned(session, account_id, key_id)
            key.revoked_at = key.revoked_at or self._clock()
            view = key_view(key)
        self._invalidate()
        return view

    # -- the storefront's side ----------------------------------------------------------

    def authenticate(self, key: str, origin: str | None) -> Principal:
        """The caller a key stands for; a browser's ``Origin`` must be one the key allows.

        Calls without an ``Origin`` (a shop's own server) are accepted: the key is public
        anyway, and origins protect it from other websites' pages, which browsers make
        send their origin.
        """
        active = self._snapshot().get(key)
        if active is None:
            raise AuthenticationError("Unknown or revoked public key.")
        if origin is not None and not origin_allowed(origin, list(active.allowed_origins)):
            raise PermissionDeniedError(f"Origin {origin} is not allowed for this public key.")
        return Principal(active.account_id, PUBLIC_KEY, active.id, 0, "", 0)

    def throttle(self, principal: Principal) -> None:
        """Spend one request of the key's own rate limit (429 with Retry-After when empty)."""
        active = next(k for k in self._snapshot().values() if k.id == principal.subject_id)
        self._limiter.take(active.id, active.rate_limit_per_minute)

    def allows_origin(self, origin: str) -> bool:
        """Whether any active key allows ``origin``: the answer to a CORS preflight, which
        carries no key (browsers send custom headers only on the real request)."""
        return any(origin_allowed(origin, list(k.allowed_origins)) for k in self._snapshot().values())

    # -- internals ----------------------------------------------------------------------

    def _owned(self, session, account_id: str, key_id: str) -> PublicKey:
        key = session.get(PublicKey, key_id)
        if key is None or key.account_id != account_id:
            raise NotFoundError(f"No public key {key_id}.")
        return key

    def _snapshot(self) -> dict[str, ActiveKey]:
        with self._lock:
            now = self._monotonic()
            if self._loaded_at is None or now - self._loaded_at > CACHE_SECONDS:
                self._active = self._load()
                self._loaded_at = now
            return self._active

    def _load(self) -> dict[str, ActiveKey]:
        with self._db.transaction() as session:
            rows = session.scalars(select(PublicKey).where(PublicKey.revoked_at.is_(None))).all()
            return {
                row.key: ActiveKey(row.id, row.account_id, tuple(row.allowed_origins), row.rate_limit_per_minute)
                for row in rows
            }

    def _invalidate(self) -> None:
        with self._lock:
            self._loaded_at = None


def key_view(key: PublicKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "key": key.key,
        "name": key.name,
        "allowed_origins": list(key.allowed_origins),
        "rate_limit_per_minute": key.rate_limit_per_minute,
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
        "active": key.revoked_at is None,
    }
