"""Making and checking secrets: passwords, client secrets and one-time tokens.

Passwords are low-entropy, so they get argon2id. Client secrets and email tokens
are 256-bit random strings, for which a SHA-256 digest is already a strong hash
and keeps ``/oauth/token`` fast. Every comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher as Argon2Hasher
from argon2.exceptions import InvalidHashError, VerificationError

from bridge.errors import InvalidInputError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
# The most common passwords that still pass the length rule (from public breach lists).
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "0123456789",
        "12345678910",
        "1q2w3e4r5t",
        "qwertyuiop",
        "password12",
        "password123",
        "password1234",
        "iloveyou12",
        "abcdefghij",
        "qwerty1234",
        "1qaz2wsx3edc",
        "administrator",
        "letmein123",
        "welcome123",
        "passw0rd123",
        "aaaaaaaaaa",
        "changeme123",
    }
)


def new_client_id() -> str:
    return "bc_" + secrets.token_hex(12)


def new_client_secret() -> str:
    return "bs_" + secrets.token_urlsafe(32)


def new_one_time_token() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def digest_matches(secret: str, expected_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), expected_digest)


def check_password_policy(password: str, email: str) -> None:
    """Length and guessability rules after NIST SP 800-63B: no composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInputError(f"Password must be at most {MAX_PASSWORD_LENGTH} characters.", field="password")
    lowered = password.lower()
    local_part = email.split("@", 1)[0].lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 5:
        raise InvalidInputError("Password is too easy to guess; choose a less common one.", field="password")
    if len(local_part) >= 4 and local_part in lowered:
        raise InvalidInputError("Password must not contain your email address.", field="password")


class PasswordHasher:
    """argon2id hashing with a cost the operator (or the test suite) chooses."""

    def __init__(self, time_cost: int, memory_cost: int):
        self._hasher = Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost)
        # A real hash to verify against when the email is unknown, so that a missing
        # account takes as long to reject as a wrong password.
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._decoy, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False
