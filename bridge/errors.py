"""Domain errors. They describe what went wrong, never how HTTP should say it.

``bridge.http`` maps each class to a status code and the single JSON error shape.
"""

from __future__ import annotations

from typing import Any


class BridgeError(Exception):
    """Base of every error a caller is meant to see."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or {}


class InvalidInputError(BridgeError):
    """The request is well-formed but a value is not acceptable."""

    code = "invalid_input"


class MalformedRequestError(BridgeError):
    """The request body cannot be parsed at all (bad JSON, wrong encoding)."""

    code = "malformed_request"


class UnsupportedMediaTypeError(BridgeError):
    """The body has a content type the endpoint does not accept."""

    code = "unsupported_media_type"


class NotFoundError(BridgeError):
    code = "not_found"


class ConflictError(BridgeError):
    code = "conflict"


class AuthenticationError(BridgeError):
    """Credentials or token missing, wrong, expired or revoked."""

    code = "unauthorized"


class PermissionDeniedError(BridgeError):
    code = "forbidden"


class AccountNotVerifiedError(PermissionDeniedError):
    code = "account_not_verified"


class RateLimitedError(BridgeError):
    """Too many attempts; ``retry_after`` says in how many seconds to try again."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServiceUnavailableError(BridgeError):
    code = "service_unavailable"
