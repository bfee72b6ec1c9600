"""HTTP edge: domain errors to JSON, bearer authentication, body content types.

Every error under ``/oauth`` and ``/v1`` leaves as one JSON shape (RFC 9457 in
spirit, with the FastAPI-style ``detail`` the reference clients read)::

    {"error": "invalid_input", "status": 422, "title": "Unprocessable Content",
     "detail": "Password must be at least 10 characters.", "field": "password",
     "errors": {"password": ["Password must be at least 10 characters."]}}
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import current_app, g, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from bridge import errors
from bridge.accounts.tokens import Principal
from bridge.storefront.service import PUBLIC_KEY

log = logging.getLogger(__name__)

# Ordered: the first matching class wins, so subclasses come before their bases.
STATUS_BY_ERROR: tuple[tuple[type[errors.BridgeError], int], ...] = (
    (errors.MalformedRequestError, 400),
    (errors.AuthenticationError, 401),
    (errors.PermissionDeniedError, 403),
    (errors.NotFoundError, 404),
    (errors.ConflictError, 409),
    (errors.UnsupportedMediaTypeError, 415),
    (errors.InvalidInputError, 422),
    (errors.RateLimitedError, 429),
    (errors.ServiceUnavailableError, 503),
)
JSON_TYPES = ("application/json",)


class ErrorSchema(ma.Schema):
    """The single error shape (documentation only)."""

    error = ma.fields.String(metadata={"description": "Machine-readable error code", "example": "invalid_input"})
    status = ma.fields.Integer(metadata={"example": 422})
    title = ma.fields.String(metadata={"example": "Unprocessable Content"})
    detail = ma.fields.String(metadata={"example": "Password must be at least 10 characters."})
    field = ma.fields.String(
        allow_none=True, metadata={"description": "The offending field, if any", "example": "password"}
    )
    errors = ma.fields.Dict(metadata={"description": "Messages per field"})


class BridgeApi(Api):
    """smorest's Api with Bridge's error shape for every HTTP exception."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        field_errors = _flatten_messages(data.get("messages") or data.get("errors") or {})
        field = next(iter(field_errors), None)
        if field_errors:
            detail = f"{field}: {' '.join(field_errors[field])}" if field != "_body" else " ".join(field_errors[field])
        else:
            detail = data.get("message") or error.description
        code = "validation_error" if field_errors else _slug(error.name)
        if field == "_body":
            code, field = ("malformed_request" if error.code == 400 else code), None
        return problem(code, error.code, detail, field=field, errors=field_errors, headers=data.get("headers"))


def problem(
    code: str,
    status: int,
    detail: str,
    *,
    field: str | None = None,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
):
    body: dict[str, Any] = {
        "error": code,
        "status": status,
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "detail": detail,
        "field": field,
    }
    if errors:
        body["errors"] = errors
    elif field:
        body["errors"] = {field: [detail]}
    return body, status, headers or {}


def handle_bridge_error(error: errors.BridgeError):
    status = next((code for cls, code in STATUS_BY_ERROR if isinstance(error, cls)), 500)
    headers: dict[str, str] = {}
    if isinstance(error, errors.AuthenticationError):
        headers["WWW-Authenticate"] = _bearer_challenge(error.message if request.headers.get("Authorization") else None)
    if isinstance(error, errors.RateLimitedError):
        headers["Retry-After"] = str(error.retry_after)
    if status == 500:
        return handle_unexpected_error(error)
    return problem(error.code, status, error.message, field=error.field, headers=headers)


def handle_unexpected_error(error: Exception):
    """Anything unmapped: log it with its traceback, answer without internals."""
    if isinstance(error, HTTPException):
        return current_app.extensions["bridge_api"].handle_http_exception(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem("internal_error", 500, "Something went wrong on our side; it has been logged.")


def _bearer_challenge(description: str | None) -> str:
    if description is None:  # no credentials at all: RFC 6750 §3.1 says no error code
        return 'Bearer realm="bridge"'
    return f'Bearer realm="bridge", error="invalid_token", error_description="{description.replace(chr(34), chr(39))}"'


def _flatten_messages(messages: Any) -> dict[str, list[str]]:
    """webargs nests messages by location and field ({"json": {"metadata": {"price": [...]}}});
    callers want dotted field paths ({"metadata.price": [...]})."""
    flat: dict[str, list[str]] = {}
    for location, value in (messages or {}).items():
        if isinstance(value, dict):
            _flatten_into(flat, value, "")
        else:
            flat["_body" if location in ("json", "form") else str(location)] = _as_strings(value)
    return flat


def _flatten_into(flat: dict[str, list[str]], messages: dict, prefix: str) -> None:
    for name, problems in messages.items():
        path = (prefix.rstrip(".") or "_body") if name == "_schema" else f"{prefix}{name}"
        if isinstance(problems, dict):
            _flatten_into(flat, problems, f"{path}.")
        else:
            flat[path] = _as_strings(problems)


def _as_strings(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [item if isinstance(item, str) else str(item) for item in value]
    return [str(value)]


def _slug(name: str) -> str:
    return name.lower().replace(" ", "_").replace("-", "_")


# -- request helpers --------------------------------------------------------------


def services():
    """The service container built by ``create_app``."""
    return current_app.extensions["bridge"]


def accepts(*mimetypes: str) -> Callable:
    """Declare the body content types a view method accepts (default: JSON only)."""

    def mark(view: Callable) -> Callable:
        view.bridge_accepts = mimetypes
        return view

    return mark


def check_content_type() -> None:
    """before_request: refuse bodies of a type the view does not accept, with 415."""
    if request.method not in ("POST", "PUT", "PATCH") or not _has_body():
        return
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    method = getattr(view_class, request.method.lower(), view)
    allowed = getattr(method, "bridge_accepts", JSON_TYPES)
    mimetype = request.mimetype
    if not (mimetype in allowed or (mimetype.endswith("+json") and "application/json" in allowed)):
        raise errors.UnsupportedMediaTypeError(
            f"Content-Type must be {' or '.join(allowed)}, got {request.mimetype or 'none'}."
        )


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def current_principal() -> Principal:
    return g.principal


# -- public keys ------------------------------------------------------------------------

PUBLIC_KEY_HEADERS = ("X-Public-Key", "X-Visidea-Token")  # ours, and seed 003's x-visidea-token
SECRET_ONLY_DETAIL = (
    "Publishable keys reach only the public endpoints (search, suggest, settings, recommendations, events)."
)


def _public_key() -> str | None:
    """The publishable key, from a header or the ``public_key`` query parameter. The widget uses
    the parameter: without a custom header its GETs and photo uploads are simple CORS requests,
    so a keystroke costs one request, not a preflight and a request."""
    header = next((request.headers[name] for name in PUBLIC_KEY_HEADERS if request.headers.get(name)), None)
    return header or request.args.get("public_key") or None


def require_bearer_token() -> None:
    """before_request for protected blueprints: resolve the caller from the bearer token."""
    header = request.headers.get("Authorization", "")
    if not header and _public_key():
        raise errors.PermissionDeniedError(SECRET_ONLY_DETAIL)
    if not header:
        raise errors.AuthenticationError("Missing access token: send 'Authorization: Bearer <token>'.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.AuthenticationError("Malformed Authorization header: expected 'Bearer <token>'.")
    g.principal = services().accounts.authenticate(token.strip())


def require_caller() -> None:
    """before_request for public blueprints: a bearer token, or a publishable key from one of
    its allowed origins and within its rate limit. Preflights carry neither and pass."""
    if request.method == "OPTIONS":
        return
    key = _public_key()
    if key is None or request.headers.get("Authorization"):
        return require_bearer_token()
    keys = services().public_keys
    origin = request.headers.get("Origin")
    g.principal = keys.authenticate(key, origin)
    g.cors_origin = origin
    keys.throttle(g.principal)


def require_secret_credentials() -> None:
    """Inside a public blueprint: this method changes the account, so a publishable key won't do."""
    if current_principal().kind == PUBLIC_KEY:
        raise errors.PermissionDeniedError(SECRET_ONLY_DETAIL)


def public_cors(response):
    """after_request for public blueprints: CORS only for origins a key allows.

    A real request gets ``Access-Control-Allow-Origin`` when its key allowed its origin
    (errors included, so a widget can read a 429). A preflight carries no key, so it is
    answered for origins that some active key allows; the real request is checked again.
    """
    origin = request.headers.get("Origin")
    if not origin:
        return response
    response.vary.add("Origin")
    if request.method == "OPTIONS" and services().public_keys.allows_origin(origin):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, " + ", ".join(PUBLIC_KEY_HEADERS)
        response.headers["Access-Control-Max-Age"] = "600"
    elif request.method != "OPTIONS" and g.get("cors_origin") == origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    return response


PUBLIC_SECURITY = [{"bearerAuth": []}, {"publicKey": []}]
PUBLIC_METHODS = ("get", "post")  # what a publishable key may call; PUT/PATCH change the account


def public_blueprint(blueprint) -> None:
    """Open a blueprint to publishable keys (with CORS) as well as bearer tokens, and say so in
    the OpenAPI document of each GET and POST it routes."""
    blueprint.before_request(require_caller)
    blueprint.after_request(public_cors)
    route = blueprint.route

    def documented_route(rule: str, **options: Any) -> Callable:
        register = route(rule, **options)

        def decorate(view):
            for method in PUBLIC_METHODS:
                if hasattr(view, method):
                    setattr(view, method, blueprint.doc(security=PUBLIC_SECURITY)(getattr(view, method)))
            return register(view)

        return decorate

    blueprint.route = documented_route
