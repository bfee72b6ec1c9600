"""The token endpoint's wire protocol (RFC 6749 §4.4 and §5), apart from Flask views.

Errors here use RFC 6749 §5.2 bodies (``{"error", "error_description"}``), not the
API's general error shape, because OAuth client libraries parse exactly those.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus

from bridge.accounts.service import AccountService
from bridge.errors import AccountNotVerifiedError, AuthenticationError

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
SUPPORTED_GRANTS = ("client_credentials",)


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int, headers: Mapping[str, str] | None = None):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = dict(headers or {})

    def response(self) -> tuple[dict[str, str], int, dict[str, str]]:
        return {"error": self.error, "error_description": self.description}, self.status, {**NO_STORE, **self.headers}


def token_response(accounts: AccountService, request: Any) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Handle one token request; ``request`` is the incoming werkzeug request."""
    try:
        params = _parameters(request)
        grant_type = params.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type is required.", 400)
        if grant_type not in SUPPORTED_GRANTS:
            raise OAuthError(
                "unsupported_grant_type", f"grant_type {grant_type!r} is not supported; use client_credentials.", 400
            )
        client_id, client_secret, basic = _client_credentials(request, params)
        try:
            token = accounts.token_for_client(client_id, client_secret)
        except AuthenticationError as exc:
            challenge = {"WWW-Authenticate": 'Basic realm="bridge"'} if basic else {}
            raise OAuthError("invalid_client", exc.message, 401, challenge) from None
        except AccountNotVerifiedError as exc:
            raise OAuthError("unauthorized_client", exc.message, 403) from None
    except OAuthError as exc:
        return exc.response()
    return {"access_token": token.access_token, "token_type": "bearer", "expires_in": token.expires_in}, 200, NO_STORE


def _parameters(request: Any) -> dict[str, str]:
    """Form-encoded per the RFC, or a JSON object as the reference playground sends."""
    if request.mimetype == "application/json":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise OAuthError("invalid_request", "The body must be a JSON object (or form-encoded, per RFC 6749).", 400)
        for name, value in body.items():
            if value is not None and not isinstance(value, str):
                raise OAuthError("invalid_request", f"{name} must be a string.", 400)
        return {name: value for name, value in body.items() if value is not None}
    repeated = [name for name in request.form if len(request.form.getlist(name)) > 1]
    if repeated:
        raise OAuthError("invalid_request", f"Parameter {repeated[0]} is repeated.", 400)
    return request.form.to_dict()


def _client_credentials(request: Any, params: Mapping[str, str]) -> tuple[str, str, bool]:
    """Client authentication by HTTP Basic (RFC 6749 §2.3.1) or in the body, not both."""
    auth = request.authorization
    in_body = "client_id" in params or "client_secret" in params
    if auth is not None and auth.type == "basic":
        if in_body:
            raise OAuthError(
                "invalid_request", "Send client credentials either by HTTP Basic or in the body, not both.", 400
            )
        return unquote_plus(auth.username or ""), unquote_plus(auth.password or ""), True
    client_id, client_secret = params.get("client_id", ""), params.get("client_secret", "")
    if not client_id or not client_secret:
        raise OAuthError(
            "invalid_client",
            "Client authentication is required: send client_id and client_secret, or HTTP Basic credentials.",
            401,
            {"WWW-Authenticate": 'Basic realm="bridge"'},
        )
    return client_id, client_secret, False
