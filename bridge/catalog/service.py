"""The catalog: create, read, update and delete products, keeping every index in step."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import marshmallow as ma
from sqlalchemy import func, select

from bridge.catalog.duplicates import DuplicateDetector
from bridge.catalog.indexing import IndexOutcome, ProductDraft, ProductIndexer
from bridge.catalog.models import Product
from bridge.catalog.schemas import ProductMetadataSchema
from bridge.db import Database
from bridge.errors import BridgeError, InvalidInputError, NotFoundError

log = logging.getLogger(__name__)
DEMO_DIR = Path(__file__).parent / "demo"
FINGERPRINT_TTL = 1.0  # seconds a catalog fingerprint is reused


class CatalogService:
    def __init__(self, db: Database, indexer: ProductIndexer, duplicates: DuplicateDetector, public_url: str):
        self._db = db
        self._indexer = indexer
        self._duplicates = duplicates
        self._public_url = public_url
        self._fingerprints: dict[str, tuple[float, tuple[int, datetime | None]]] = {}

    # -- writing ------------------------------------------------------------------------

    def upsert(self, account_id: str, payload: dict[str, Any]) -> IndexOutcome:
        """Index one product; any problem raises and leaves the product as it was."""
        [outcome] = self.upsert_many(account_id, [payload])
        if isinstance(outcome, BridgeError):
            raise outcome
        return outcome

    def upsert_many(self, account_id: str, payloads: list[dict[str, Any]]) -> list[IndexOutcome | BridgeError]:
        """Index a batch; each product succeeds or fails on its own."""
        try:
            return self._indexer.commit(self._indexer.prepare(account_id, payloads))
        finally:
            self._changed(account_id)

    def prepare(self, account_id: str, payloads: list[dict[str, Any]]) -> list[ProductDraft]:
        """First half of :meth:`upsert_many` (SQL reads, image fetching), for pipelining."""
        return self._indexer.prepare(account_id, payloads)

    def commit_prepared(self, drafts: list[ProductDraft]) -> list[IndexOutcome | BridgeError]:
        """Second half of :meth:`upsert_many`: embed and write."""
        try:
            return self._indexer.commit(drafts)
        finally:
            for account_id in {draft.account_id for draft in drafts}:
                self._changed(account_id)

    def patch(self, account_id: str, product_id: str, changes: dict[str, Any]) -> IndexOutcome:
        """Merge metadata keys (``null`` deletes one); replace the images if any are given."""
        product = self.get(account_id, product_id)
        metadata = dict(product.attributes)
        for key, value in (changes.get("metadata") or {}).items():
            if value is None:
                metadata.pop(key, None)
            else:
                metadata[key] = value
        images = _image_urls(changes) if ("image_url" in changes or "image_urls" in changes) else None
        payload = {
            "product_id": product_id,
            "metadata": validate_metadata(metadata),
            "image_urls": images if images is not None else [image["url"] for image in product.images],
        }
        return self.upsert(account_id, payload)

    def replace(self, account_id: str, product_id: str, body: dict[str, Any]) -> IndexOutcome:
        self.get(account_id, product_id)  # PUT replaces; it does not create
        return self.upsert(
            account_id,
            {"product_id": product_id, "metadata": body.get("metadata") or {}, "image_urls": _image_urls(body)},
        )

    def delete(self, account_id: str, product_id: str) -> None:
        """Remove the product from every vector space, then from SQL."""
        product = self.get(account_id, product_id)
        self._indexer.remove(product)
        with self._db.transaction() as session:
            session.delete(session.get(Product, product.id))
        self._changed(account_id)
        log.info("product deleted account=%s product_id=%s", account_id, product_id)

    def reindex(self, account_id: str, chunk_size: int = 32) -> Iterator[tuple[int, int]]:
        """Rebuild every vector of the account from SQL (after a model change).
        Yields (done, failed) after each chunk so callers can show progress."""
        self._indexer.drop_vectors(account_id)
        with self._db.transaction() as session:
            rows = session.scalars(select(Product).where(Product.account_id == account_id).order_by(Product.id)).all()
        failed = 0
        for start in range(0, len(rows), chunk_size):
            payloads = [
                {"product_id": p.product_id, "metadata": p.attributes, "image_urls": [i["url"] for i in p.images]}
                for p in rows[start : start + chunk_size]
            ]
            outcomes = self._indexer.commit(self._indexer.prepare(account_id, payloads, force=True))
            for payload, outcome in zip(payloads, outcomes, strict=True):
                if isinstance(outcome, BridgeError):
                    failed += 1
                    log.warning(
                        "reindex failed account=%s product_id=%s: %s", account_id, payload["product_id"], outcome
                    )
            yield min(start + chunk_size, len(rows)), failed

    def install_demo(self, account_id: str) -> list[str]:
        """Index the demo catalog shipped with Bridge; its photos are served by Bridge itself."""
        catalog = json.loads((DEMO_DIR / "catalog.json").read_text(encoding="utf-8"))
        payloads = [
            {
                "product_id": entry["product_id"],
                "metadata": entry["metadata"],
                "image_urls": [f"{self._public_url}/demo/images/{entry['image']}"],
            }
            for entry in catalog
        ]
        outcomes = self.upsert_many(account_id, payloads)
        failed = [outcome for outcome in outcomes if isinstance(outcome, BridgeError)]
        if failed:
            raise failed[0]
        return [payload["product_id"] for payload in payloads]

    # -- reading ------------------------------------------------------------------------

    def get(self, account_id: str, product_id: str) -> Product:
        with self._db.transaction() as session:
            product = session.scalar(
                select(Product).where(Product.account_id == account_id, Product.product_id == product_id)
            )
        if product is None:
            raise NotFoundError(f"No product with product_id {product_id!r}.", field="product_id")
        return product

    def page(self, account_id: str, category: str | None, page: int, per_page: int) -> dict[str, Any]:
        query = select(Product).where(Product.account_id == account_id)
        if category:
            query = query.where(func.lower(Product.category) == category.strip().lower())
        with self._db.transaction() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            rows = session.scalars(
                query.order_by(Product.created_at, Product.id).offset((page - 1) * per_page).limit(per_page)
            ).all()
        return {
            "products": rows,
            "total": total,
            "page": page,
            "per_page": per_page,
            "pages": math.ceil(total / per_page),
        }

    def duplicates(self, account_id: str, page: int, per_page: int) -> list[dict[str, Any]]:
        """Near-duplicate pairs found while indexing, newest first."""
        return self._duplicates.list(account_id, page, per_page)

    def fingerprint(self, account_id: str) -> tuple[int, datetime | None]:
        """(product count, last update): derived indexes compare it to know they are stale.

        Counting a 100k catalog costs ~28 ms, too much for every keystroke of search-as-you-type,
        so the answer is kept for :data:`FINGERPRINT_TTL` seconds. Writes through this service
        forget it at once; writes by another process show within that time."""
        cached = self._fingerprints.get(account_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < FINGERPRINT_TTL:
            return cached[1]
        with self._db.transaction() as session:
            count, updated = session.execute(
                select(func.count(Product.id), func.max(Product.updated_at)).where(Product.account_id == account_id)
            ).one()
        self._fingerprints[account_id] = (now, (count, updated))
        return count, updated

    def _changed(self, account_id: str) -> None:
        self._fingerprints.pop(account_id, None)

    def count(self, account_id: str) -> int:
        with self._db.transaction() as session:
            return session.scalar(select(func.count(Product.id)).where(Product.account_id == account_id))

    def by_pk(self, account_id: str, pks: list[str]) -> dict[str, Product]:
        """Products by internal id, scoped to the account (search results pass through here).

        Selected by primary key and checked against the account in Python: with the account in
        the WHERE clause SQLite prefers the account index and scans the whole catalog."""
        if not pks:
            return {}
        with self._db.transaction() as session:
            rows = session.scalars(select(Product).where(Product.id.in_(pks)))
            return {row.id: row for row in rows if row.account_id == account_id}

    def by_product_id(self, account_id: str, product_ids: list[str]) -> dict[str, Product]:
        if not product_ids:
            return {}
        with self._db.transaction() as session:
            rows = session.scalars(
                select(Product).where(Product.account_id == account_id, Product.product_id.in_(product_ids))
            )
            return {row.product_id: row for row in rows}


def validate_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """The same rules as on creation, applied to merged metadata, with dotted field names."""
    try:
        return ProductMetadataSchema().load(metadata)
    except ma.ValidationError as exc:
        field = next(iter(exc.messages_dict), "metadata")
        message = exc.messages_dict[field]
        raise InvalidInputError(f"metadata.{field}: {' '.join(map(str, message))}", field=f"metadata.{field}") from None


def _image_urls(body: dict[str, Any]) -> list[str]:
    urls = ([body["image_url"]] if body.get("image_url") else []) + list(body.get("image_urls") or [])
    return list(dict.fromkeys(urls))


def product_view(product: Product) -> dict[str, Any]:
    """The public shape of a product (GET responses and search results)."""
    metadata = dict(product.attributes)
    if product.images:
        metadata["image_url"] = product.images[0]["url"]
    metadata["dominant_colors"] = product.colors
    return {
        "product_id": product.product_id,
        "vector_id": product.id,
        "status": "indexed",
        "metadata": metadata,
        "image_urls": [image["url"] for image in product.images],
        "dominant_colors": product.colors,
        "visual_model": product.visual_model,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }
