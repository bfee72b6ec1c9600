"""Products into the index: fetch images, embed what changed, write vectors and SQL.

Indexing runs in three steps so bulk jobs can overlap them (fetching the next chunk
while the model embeds this one): :meth:`ProductIndexer.prepare` reads SQL and fetches
and decodes images in parallel threads; :meth:`ProductIndexer.commit` embeds every new
image and text of the batch in one model call each, then writes Chroma and SQL.
An image whose bytes did not change keeps its vector: only new content is embedded.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.catalog.duplicates import DuplicateDetector
from bridge.catalog.images import ImageLoader
from bridge.catalog.models import Product
from bridge.catalog.vectorviews import filter_metadata, product_text
from bridge.catalog.vectorwrites import VectorBatch
from bridge.db import Database, new_id
from bridge.embedding.colors import dominant_colors
from bridge.embedding.service import CLIP_SPACE, DESCRIPTOR_SPACE, TEXT_SPACE, EmbeddingService, VisualBackend
from bridge.errors import BridgeError, ConflictError
from bridge.vectors.store import VectorStore

log = logging.getLogger(__name__)
EMBED_SIZE = 448


@dataclass
class ProductDraft:
    """One product on its way into the index."""

    account_id: str
    product_id: str
    metadata: dict[str, Any]
    image_urls: list[str]
    existing: Product | None
    pk: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)  # [{url, sha256, width, height}]
    decoded: dict[int, Image.Image] = field(default_factory=dict)  # position -> image to embed
    error: BridgeError | None = None
    force: bool = False  # re-embed even unchanged content (reindexing)
    colors: list[dict[str, Any]] | None = None  # of the main photo, when it is new


@dataclass(frozen=True)
class IndexOutcome:
    product: Product
    created: bool
    images_embedded: int


class ProductIndexer:
    def __init__(
        self,
        db: Database,
        vectors: VectorStore,
        embeddings: EmbeddingService,
        images: ImageLoader,
        duplicates: DuplicateDetector,
        clock: Callable[[], datetime],
        fetch_threads: int = 8,
    ):
        self._db = db
        self._vectors = vectors
        self._embeddings = embeddings
        self._images = images
        self._duplicates = duplicates
        self._clock = clock
        self._pool = ThreadPoolExecutor(max_workers=fetch_threads, thread_name_prefix="image-fetch")

    # -- step 1: read and fetch -----------------------------------------------------------

    def prepare(self, account_id: str, payloads: list[dict[str, Any]], force: bool = False) -> list[ProductDraft]:
        ids = [payload["product_id"] for payload in payloads]
        with self._db.transaction() as session:
            rows = session.scalars(select(Product).where(Product.account_id == account_id, Product.product_id.in_(ids)))
            existing = {row.product_id: row for row in rows}
        drafts = [
            ProductDraft(
                account_id,
                p["product_id"],
                p.get("metadata") or {},
                p["image_urls"],
                existing.get(p["product_id"]),
                force=force,
            )
            for p in payloads
        ]
        visual_model = self._embeddings.visual().model_id
        list(self._pool.map(lambda draft: self._fetch_images(draft, visual_model), drafts))
        return drafts

    def _fetch_images(self, draft: ProductDraft, visual_model: str) -> None:
        draft.pk = draft.existing.id if draft.existing else new_id()
        known = {}
        if draft.existing is not None and draft.existing.visual_model == visual_model and not draft.force:
            known = {image["sha256"]: image for image in draft.existing.images}
        try:
            for position, url in enumerate(draft.image_urls):
                field_name = "image_url" if len(draft.image_urls) == 1 else f"image_urls[{position}]"
                data = self._images.fetch(url, field_name)
                sha = hashlib.sha256(data).hexdigest()
                if sha in known:
                    draft.images.append({**known[sha], "url": url})
                    continue
                image = self._images.decode(data, field_name)
                draft.images.append({"url": url, "sha256": sha, "width": image.width, "height": image.height})
                # Here, in the fetch threads, so the model's thread only embeds: the models see
                # 224 px (CLIP) or 160 px (descriptor), so 448 px loses nothing.
                image.thumbnail((EMBED_SIZE, EMBED_SIZE))
                if position == 0:
                    draft.colors = [
                        {"hex": c.hex, "name": c.name, "share": round(c.share, 3)} for c in dominant_colors(image)
                    ]
                draft.decoded[position] = image
        except BridgeError as exc:
            draft.error = exc

    # -- step 2: embed and write ------------------------------------------------------------

    def commit(self, drafts: list[ProductDraft]) -> list[IndexOutcome | BridgeError]:
        """Embed every new image and text of the chunk in one call each, write the vectors in one
        batch per collection and the rows in one transaction, then look for duplicates."""
        ready = [draft for draft in drafts if draft.error is None]
        image_vectors = self._embed_images(ready)
        text_vectors = self._embed_texts(ready)
        batch = VectorBatch(self._vectors)
        for draft in ready:
            filters = filter_metadata(draft.product_id, draft.metadata, self._colors(draft))
            self._write_image_vectors(batch, draft, image_vectors.get(draft.pk, {}), filters)
            self._write_text_vector(batch, draft, text_vectors.get(draft.pk), filters)
        batch.flush()
        saved = self._save_all(ready)
        for draft in ready:
            if draft.pk in image_vectors and not isinstance(saved[draft.pk], BridgeError):
                self._check_duplicate(draft, image_vectors[draft.pk])
        return [draft.error or saved[draft.pk] for draft in drafts]

    def _embed_images(self, drafts: list[ProductDraft]) -> dict[str, dict[int, Any]]:
        keys = [(draft.pk, position) for draft in drafts for position in draft.decoded]
        images = [draft.decoded[position] for draft in drafts for position in draft.decoded]
        if not images:
            return {}
        matrix = self._embeddings.visual().embed_images(images)
        vectors: dict[str, dict[int, Any]] = {}
        for (pk, position), vector in zip(keys, matrix, strict=True):
            vectors.setdefault(pk, {})[position] = vector
        return vectors

    def _embed_texts(self, drafts: list[ProductDraft]) -> dict[str, Any]:
        changed = [d for d in drafts if d.force or not d.existing or d.existing.text_hash != _text_hash(d.metadata)]
        texts = [product_text(draft.metadata) for draft in changed]
        matrix = self._embeddings.embed_texts(texts) if texts else []
        return {draft.pk: vector for draft, vector in zip(changed, matrix, strict=True)}

    def _check_duplicate(self, draft: ProductDraft, new_vectors: dict[int, Any]) -> None:
        visual = self._embeddings.visual()
        collection = self._vectors.collection(draft.account_id, visual.space, visual.model_id, visual.dim)
        self._duplicates.check(draft.account_id, draft.pk, collection, visual.space, new_vectors[min(new_vectors)])

    def _save_all(self, drafts: list[ProductDraft]) -> dict[str, IndexOutcome | BridgeError]:
        """All rows in one transaction; if one clashes (a concurrent create), each on its own."""
        try:
            with self._db.transaction() as session:
                products = [self._save(session, draft) for draft in drafts]
        except IntegrityError:
            return {draft.pk: self._save_alone(draft) for draft in drafts}
        return {
            d.pk: IndexOutcome(p, d.existing is None, len(d.decoded)) for d, p in zip(drafts, products, strict=True)
        }

    def _save_alone(self, draft: ProductDraft) -> IndexOutcome | BridgeError:
        try:
            with self._db.transaction() as session:
                return IndexOutcome(self._save(session, draft), draft.existing is None, len(draft.decoded))
        except IntegrityError:
            return ConflictError("The product was created concurrently; retry.", field="product_id")

    def _colors(self, draft: ProductDraft) -> list[dict[str, Any]]:
        if draft.colors is not None:
            return draft.colors
        if draft.images and draft.existing is not None:
            return draft.existing.colors
        return []

    def _write_image_vectors(
        self, batch: VectorBatch, draft: ProductDraft, new_vectors: dict[int, Any], filters: dict
    ) -> None:
        visual = self._embeddings.visual()
        old_ids = {
            image_vector_id(draft.pk, image["sha256"]) for image in (draft.existing.images if draft.existing else [])
        }
        current = [image_vector_id(draft.pk, image["sha256"]) for image in draft.images]
        if draft.images:
            collection = self._vectors.collection(draft.account_id, visual.space, visual.model_id, visual.dim)
            added = [current[position] for position in new_vectors]
            batch.upsert(collection, added, [new_vectors[position] for position in new_vectors], filters)
            batch.update(collection, [vector_id for vector_id in current if vector_id not in added], filters)
        stale = sorted(old_ids - set(current))
        if draft.existing is not None and draft.existing.visual_model and stale:
            batch.delete(draft.account_id, _space_of(draft.existing.visual_model, visual), stale)

    def _write_text_vector(self, batch: VectorBatch, draft: ProductDraft, text_vector: Any, filters: dict) -> None:
        collection = self._vectors.collection(
            draft.account_id, TEXT_SPACE, self._embeddings.text_model_id, self._embeddings.text_dim()
        )
        if text_vector is not None:
            batch.upsert(collection, [draft.pk], [text_vector], filters)
        else:
            batch.update(collection, [draft.pk], filters)

    def _save(self, session: Session, draft: ProductDraft) -> Product:
        now = self._clock()
        metadata = draft.metadata
        product = session.get(Product, draft.pk) or Product(
            id=draft.pk, account_id=draft.account_id, product_id=draft.product_id, created_at=now
        )
        product.name, product.category = metadata.get("name"), metadata.get("category")
        product.brand, product.price = metadata.get("brand"), metadata.get("price")
        product.attributes = metadata
        product.images = draft.images
        product.colors = self._colors(draft)
        product.visual_model = self._embeddings.visual().model_id if draft.images else None
        product.text_hash = _text_hash(metadata)
        product.updated_at = now
        session.add(product)
        session.flush()
        return product

    # -- removal ------------------------------------------------------------------------------

    def remove(self, product: Product) -> None:
        """Delete every vector of a product, in every space it may be in."""
        visual = self._embeddings.visual()
        ids = [image_vector_id(product.id, image["sha256"]) for image in product.images]
        if product.visual_model:
            self._vectors.delete(product.account_id, _space_of(product.visual_model, visual), ids)
        self._vectors.delete(product.account_id, TEXT_SPACE, [product.id])

    def drop_vectors(self, account_id: str) -> None:
        self._vectors.drop_account(account_id, (CLIP_SPACE, DESCRIPTOR_SPACE, TEXT_SPACE))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def image_vector_id(product_pk: str, sha256: str) -> str:
    return f"{product_pk}:{sha256[:24]}"


def _space_of(model_id: str, visual: VisualBackend) -> str:
    if model_id == visual.model_id:
        return visual.space
    return CLIP_SPACE if model_id.startswith("open_clip/") else DESCRIPTOR_SPACE


def _text_hash(metadata: dict[str, Any]) -> str:
    return hashlib.sha256(product_text(metadata).encode()).hexdigest()
