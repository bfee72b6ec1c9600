"""Serves the widget script at a versioned URL and the demo storefront page.

The script is public and cacheable by any site (CORS ``*``, cross-origin resource policy);
everything it fetches afterwards is checked against its publishable key's origins.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template, request, send_from_directory

from bridge.errors import AuthenticationError, NotFoundError
from bridge.http import services

bp = Blueprint("widgets", __name__, url_prefix="/widgets")
SCRIPT_DIR = Path(__file__).resolve().parent.parent / "static" / "widgets" / "v1"
SCRIPT_MAX_AGE = 3600  # a fix reaches shops within the hour; the URL's v1 changes only when the API does


@bp.get("/v1/bridge.js")
def script():
    response = send_from_directory(SCRIPT_DIR, "bridge.js", max_age=SCRIPT_MAX_AGE, mimetype="text/javascript")
    response.headers["Cache-Control"] = f"public, max-age={SCRIPT_MAX_AGE}, stale-while-revalidate=86400"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/demo")
def demo():
    key = request.args.get("key", "")
    try:
        page = services().demo_storefront.page(
            key, request.args.get("page", "home"), request.args.get("product"), request.args.get("q")
        )
    except (AuthenticationError, NotFoundError) as error:
        return render_template("widgets/demo_missing.html", message=error.message), 404
    response = render_template("widgets/demo.html", **page)
    return (
        response,
        200,
        {
            "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob: http: https:; "
            "style-src 'self' 'unsafe-inline'; frame-ancestors 'self'",
        },
    )
