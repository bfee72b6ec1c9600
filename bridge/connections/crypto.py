"""Connector credentials at rest: Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from
``BRIDGE_SECRET_KEY`` with HKDF, so a copy of the database alone reveals no shop's API keys.
Rotating the secret key makes stored credentials unreadable: merchants re-enter them."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bridge.errors import ConflictError


class CredentialsUnreadableError(ConflictError):
    code = "credentials_unreadable"


class CredentialBox:
    def __init__(self, secret_key: str):
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"bridge", info=b"connector credentials")
        self._fernet = Fernet(base64.urlsafe_b64encode(derived.derive(secret_key.encode())))

    def seal(self, credentials: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(credentials).encode()).decode()

    def open(self, token: str) -> dict[str, Any]:
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise CredentialsUnreadableError(
                "The stored credentials cannot be decrypted (was BRIDGE_SECRET_KEY changed?): enter them again.",
                field="credentials",
            ) from None
