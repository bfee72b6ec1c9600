"""The catalog as connectors see it: validated the way the API validates, then indexed.

Connectors produce payloads in the shape of ``POST /v1/products``; this checks each with the
same schema (so a bad price from a platform fails that product with the field named, exactly
like an API call would) and hands the valid ones to :class:`CatalogService` in two halves.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from bridge.catalog.schemas import ProductInputSchema
from bridge.catalog.service import CatalogService
from bridge.errors import BridgeError, InvalidInputError
from bridge.jobs.service import first_error  # the bulk API's field naming, reused

Prepared = tuple[list[BridgeError | None], list[Any]]


class CatalogGateway:
    def __init__(self, catalog: CatalogService):
        self._catalog = catalog

    def prepare(self, account_id: str, payloads: list[dict[str, Any]]) -> Prepared:
        errors: list[BridgeError | None] = []
        valid = []
        for payload in payloads:
            try:
                valid.append(ProductInputSchema().load(payload))
                errors.append(None)
            except ma.ValidationError as exc:
                field, message = first_error(exc.messages_dict)
                errors.append(InvalidInputError(f"{field}: {message}", field=field))
        return errors, self._catalog.prepare(account_id, valid) if valid else []

    def commit(self, prepared: Prepared) -> list[Any]:
        errors, drafts = prepared
        outcomes = iter(self._catalog.commit_prepared(drafts) if drafts else [])
        return [error or next(outcomes) for error in errors]

    def delete(self, account_id: str, product_id: str) -> None:
        self._catalog.delete(account_id, product_id)
