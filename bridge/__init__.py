"""Bridge: self-hosted visual and semantic product search for online shops."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

API_TITLE = "Bridge API"
API_VERSION = "1.0"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config, services, blueprints. The only place that wires things."""
    from bridge.config import load_config
    from bridge.container import build_services
    from bridge.db import utcnow

    app = Flask(__name__, static_folder="../static", template_folder="../templates")
    config = load_config(os.environ, test_config)
    app.config.update(config)
    app.config.update(_openapi_settings())
    _configure_logging()

    services = build_services(config, clock=config.get("CLOCK", utcnow))
    app.extensions["bridge"] = services
    if config["RUN_MIGRATIONS"]:
        services.db.upgrade()
    _register_api(app)
    _register_cli(app)
    return app


def _openapi_settings() -> dict[str, Any]:
    return {
        "API_TITLE": API_TITLE,
        "API_VERSION": API_VERSION,
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
        "API_SPEC_OPTIONS": {
            "security": [{"bearerAuth": []}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                    "publicKey": {
                        "type": "apiKey",
                        "in": "header",
                        "name": "X-Public-Key",
                        "description": "A publishable key (pk_…) for storefront pages; seed 003's x-visidea-token "
                        "header works too. Accepted by search, suggest, website settings, recommendations, "
                        "similar products and events only, from the key's allowed origins.",
                    },
                }
            },
            "info": {
                "description": (
                    "Visual and semantic product search. Get a token at POST /oauth/token, then send "
                    "`Authorization: Bearer <token>` on every /v1 request; storefront pages use a publishable key "
                    "(`X-Public-Key: pk_…`) on the public endpoints instead. Errors are JSON: "
                    "`{error, status, title, detail, field, errors}`."
                )
            },
        },
    }


def _register_api(app: Flask) -> None:
    from bridge import errors, http
    from bridge.accounts.api import account_blp, oauth_blp, signup_blp
    from bridge.catalog.api import blp as products_blp
    from bridge.catalog.api import demo_images_bp
    from bridge.connections.api import blp as connectors_blp
    from bridge.connections.api import webhooks_blp as connector_webhooks_blp
    from bridge.events.api import blp as events_blp
    from bridge.jobs.api import blp as jobs_blp
    from bridge.jobs.api import bulk_blp
    from bridge.recommend.api import blp as recommend_blp
    from bridge.search.api import blp as search_blp
    from bridge.search.discovery_api import blp as visual_blp
    from bridge.search.semantic_api import blp as semantic_blp
    from bridge.storefront.api import keys_blp, settings_blp
    from bridge.system.api import blp as system_blp
    from bridge.system.api import docs_assets_bp
    from widgets.views import bp as widgets_bp

    api = http.BridgeApi(app)
    app.extensions["bridge_api"] = api
    for blueprint in (
        system_blp,
        signup_blp,
        oauth_blp,
        account_blp,
        products_blp,
        bulk_blp,
        jobs_blp,
        connectors_blp,
        connector_webhooks_blp,
        search_blp,
        visual_blp,
        semantic_blp,
        keys_blp,
        settings_blp,
        events_blp,
        recommend_blp,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(docs_assets_bp)
    app.register_blueprint(demo_images_bp)
    app.register_blueprint(widgets_bp)
    app.before_request(http.check_content_type)
    app.register_error_handler(errors.BridgeError, http.handle_bridge_error)
    app.register_error_handler(Exception, http.handle_unexpected_error)


def _register_cli(app: Flask) -> None:
    from bridge.cli import bridge_cli

    app.cli.add_command(bridge_cli)


def _configure_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
