"""JWT access tokens and the principal they stand for.

A token names its account, its principal (the account owner through client
credentials, or a user through login) and the credential generation it was
issued under. Regenerating the client secret or changing a password bumps the
generation, which revokes every older token without a token table.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import jwt

from bridge.errors import AuthenticationError

ISSUER = "bridge"
OWNER = "owner"
USER = "user"


@dataclass(frozen=True)
class Principal:
    """Who is calling: resolved from a verified token on every request."""

    account_id: str
    kind: str  # OWNER (client credentials) or USER (email/password login)
    subject_id: str  # the account id for owners, the user id for users
    generation: int
    token_id: str
    expires_at: int

    @property
    def user_id(self) -> str | None:
        return self.subject_id if self.kind == USER else None


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


class AccessTokens:
    """Issues and decodes HS256 tokens with a key derived from the server secret."""

    def __init__(self, secret_key: str, ttl_seconds: int, clock: Callable[[], float] = time.time):
        self._key = hmac.new(secret_key.encode(), b"bridge access token v1", hashlib.sha256).digest()
        self._ttl = ttl_seconds
        self._clock = clock

    def issue(self, account_id: str, kind: str, subject_id: str, generation: int) -> IssuedToken:
        now = int(self._clock())
        claims = {
            "iss": ISSUER,
            "sub": subject_id,
            "acc": account_id,
            "typ": kind,
            "gen": generation,
            "iat": now,
            "exp": now + self._ttl,
            "jti": uuid.uuid4().hex,
        }
        return IssuedToken(jwt.encode(claims, self._key, algorithm="HS256"), self._ttl)

    def decode(self, token: str) -> Principal:
        """Verify signature, issuer and expiry; revocation is checked by the caller."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=["HS256"],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "acc", "typ", "gen", "jti"], "verify_exp": False},
            )
        except jwt.PyJWTError:
            raise AuthenticationError("The access token is malformed or its signature is invalid.") from None
        if claims["exp"] <= self._clock():
            raise AuthenticationError("The access token has expired; request a new one.")
        if claims["typ"] not in (OWNER, USER):
            raise AuthenticationError("The access token is malformed.")
        return Principal(claims["acc"], claims["typ"], claims["sub"], claims["gen"], claims["jti"], claims["exp"])
