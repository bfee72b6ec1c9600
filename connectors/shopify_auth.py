"""Shopify credentials: a custom app's static Admin API token, or a Dev Dashboard app's client
id and secret, exchanged for an expiring token with the client-credentials grant."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import marshmallow as ma

from connectors.base import FatalError

if TYPE_CHECKING:
    from connectors.shopify import ShopifyConnector


class ShopifyCredentials(ma.Schema):
    """A custom app's static token, or a Dev Dashboard app's client id and secret (the token
    is then obtained with the client-credentials grant and renewed when it expires)."""

    access_token = ma.fields.String(validate=ma.validate.Length(min=1, max=500))
    client_id = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    client_secret = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    webhook_secret = ma.fields.String(metadata={"description": "The app's client secret (signs webhooks)"})
    previous_webhook_secret = ma.fields.String(metadata={"description": "Still accepted during a rotation"})

    @ma.validates_schema
    def one_way_in(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("access_token") and not (data.get("client_id") and data.get("client_secret")):
            raise ma.ValidationError("give access_token, or client_id and client_secret.", "access_token")


class AccessToken:
    """The Admin API token for one connector instance, granted on first use when needed."""

    def __init__(self, connector: ShopifyConnector):
        self._connector = connector
        self._credentials = connector.settings.credentials
        self._token: str | None = self._credentials.get("access_token")

    @property
    def renewable(self) -> bool:
        return bool(self._credentials.get("client_id") and self._credentials.get("client_secret"))

    def headers(self) -> dict[str, str]:
        if self._token is None:
            self._token = self._grant()
        return {"X-Shopify-Access-Token": self._token}

    def expire(self) -> None:
        self._token = None

    def _grant(self) -> str:
        body = {
            "grant_type": "client_credentials",
            "client_id": self._credentials["client_id"],
            "client_secret": self._credentials["client_secret"],
        }
        url = f"{self._connector.settings.shop_url}/admin/oauth/access_token"
        token = self._connector.http.request("POST", url, json_body=body).json().get("access_token")
        if not token:
            raise FatalError("Shopify granted no access token to this client id.", reason="unauthorized")
        return token
