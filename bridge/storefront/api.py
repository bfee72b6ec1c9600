"""HTTP endpoints for publishable widget keys (secret credentials) and website settings
(read with a publishable key, changed with secret credentials)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from bridge.http import current_principal, public_blueprint, require_bearer_token, require_secret_credentials, services
from bridge.storefront.schemas import (
    PublicKeyCreateSchema,
    PublicKeySchema,
    PublicKeyUpdateSchema,
    WebsiteSettingsSchema,
)

keys_blp = Blueprint(
    "widget_keys", __name__, url_prefix="/v1/widget-keys", description="Publishable keys for storefront widgets"
)
keys_blp.before_request(require_bearer_token)
settings_blp = Blueprint(
    "website_settings", __name__, url_prefix="/v1/website", description="Website settings for widgets (seed 003)"
)
public_blueprint(settings_blp)


def _account() -> str:
    return current_principal().account_id


@keys_blp.route("")
class PublicKeys(MethodView):
    @keys_blp.response(200, PublicKeySchema(many=True))
    def get(self):
        """List the account's publishable keys, revoked ones included"""
        return services().public_keys.list(_account())

    @keys_blp.arguments(PublicKeyCreateSchema)
    @keys_blp.response(201, PublicKeySchema)
    def post(self, body):
        """Create a publishable key (pk_…) for pages on the allowed origins

        The key reaches only public endpoints (search, suggest, settings, similar products,
        recommendations, events), from its allowed origins, under its own rate limit.
        """
        return services().public_keys.create(
            _account(), body["name"], body["allowed_origins"], body["rate_limit_per_minute"]
        )


@keys_blp.route("/<key_id>")
class PublicKeyItem(MethodView):
    @keys_blp.arguments(PublicKeyUpdateSchema)
    @keys_blp.response(200, PublicKeySchema)
    def patch(self, body, key_id):
        """Change a key's name, allowed origins or rate limit"""
        return services().public_keys.update(_account(), key_id, body)

    @keys_blp.response(200, PublicKeySchema)
    def delete(self, key_id):
        """Revoke a key: pages using it get 401 within seconds"""
        return services().public_keys.revoke(_account(), key_id)


@settings_blp.route("/settings")
class Settings(MethodView):
    @settings_blp.response(200, WebsiteSettingsSchema)
    def get(self):
        """Get website settings: carousels per section, visual and semantic search, currency"""
        return services().website_settings.get(_account())

    @settings_blp.arguments(WebsiteSettingsSchema)
    @settings_blp.response(200, WebsiteSettingsSchema)
    def put(self, body):
        """Replace the website settings (settings not given return to their defaults)"""
        require_secret_credentials()
        return services().website_settings.replace(_account(), body)

    @settings_blp.arguments(WebsiteSettingsSchema)
    @settings_blp.response(200, WebsiteSettingsSchema)
    def patch(self, body):
        """Change some website settings; a section's fields may be changed one at a time"""
        require_secret_credentials()
        return services().website_settings.patch(_account(), body)
