"""The connectors Bridge offers: an explicit dict, never discovered by scanning a directory.

``describe`` turns each connector's marshmallow schemas into the field list that drives the
API's ``GET /v1/connectors/platforms`` and the merchant forms.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import marshmallow as ma

from connectors.base import Connector
from connectors.cscart import CsCartConnector
from connectors.files import FileConnector
from connectors.shopify import ShopifyConnector
from connectors.woocommerce import WooCommerceConnector

REGISTRY: dict[str, type[Connector]] = {
    "cscart": CsCartConnector,
    "shopify": ShopifyConnector,
    "woocommerce": WooCommerceConnector,
    "file": FileConnector,
}


def enabled(disabled: Iterable[str] = ()) -> dict[str, type[Connector]]:
    """The platforms an operator has not switched off (``BRIDGE_CONNECTORS_DISABLED``)."""
    off = {name.strip() for name in disabled}
    return {name: connector for name, connector in REGISTRY.items() if name not in off}


def describe(connector: type[Connector]) -> dict[str, Any]:
    return {
        "platform": connector.name,
        "title": connector.title,
        "primary_keys": list(connector.primary_keys),
        "replication_key": connector.replication_key,
        "webhook_signature_header": connector.webhook_signature_header,
        "credentials": _fields(connector.credentials_schema()),
        "options": _fields(connector.options_schema()),
    }


def _fields(schema: ma.Schema) -> list[dict[str, Any]]:
    described = []
    for name, field in schema.fields.items():
        entry: dict[str, Any] = {"name": name, "type": type(field).__name__.lower(), "required": field.required}
        choices = next((v.choices for v in field.validators if isinstance(v, ma.validate.OneOf)), None)
        if choices:
            entry["choices"] = list(choices)
        if field.load_default is not ma.missing and not callable(field.load_default):
            entry["default"] = field.load_default
        if field.metadata.get("description"):
            entry["description"] = field.metadata["description"]
        described.append(entry)
    return described
