"""Seed 003's visual search (detections in a photo) and visual recommend (products for one)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import numpy as np

from bridge.catalog.images import ImageLoader
from bridge.catalog.service import CatalogService
from bridge.embedding.service import EmbeddingService
from bridge.errors import InvalidInputError
from bridge.search import detection
from bridge.search.shapes import seed003_product
from bridge.vectors.store import VectorStore

NEIGHBOURS = 10


class VisualDiscovery:
    def __init__(
        self, vectors: VectorStore, embeddings: EmbeddingService, catalog: CatalogService, images: ImageLoader
    ):
        self._vectors = vectors
        self._embeddings = embeddings
        self._catalog = catalog
        self._images = images

    def detect(self, account_id: str, img: str) -> dict[str, Any]:
        """Regions of the photo that look like the account's products, each with its class."""
        image = self._images.decode(decode_data_url(img), "img")
        boxes = detection.propose(image)
        visual = self._embeddings.visual()
        matrix = visual.embed_images([image.crop((b.left, b.top, b.right, b.bottom)) for b in boxes])
        collection = self._vectors.collection(account_id, visual.space, visual.model_id, visual.dim)
        hits = [self._vectors.query(collection, vector, NEIGHBOURS) for vector in matrix]
        categories = self._categories(account_id, [hit.id.split(":", 1)[0] for group in hits for hit in group])
        found = []
        for box, vector, group in zip(boxes, matrix, hits, strict=True):
            neighbours = [(categories.get(hit.id.split(":", 1)[0], ""), hit.similarity) for hit in group]
            category, confidence = detection.classify([n for n in neighbours if n[0]])
            found.append(_detection(box, vector, category, confidence))
        return {"detections": [{k: v for k, v in d.items() if k != "box"} for d in detection.suppress(found)]}

    def recommend(self, account_id: str, embedding: list[float], detected_class: int | None, n_rec: int) -> list:
        """Products nearest to a detection's embedding, those of its class first."""
        visual = self._embeddings.visual()
        if len(embedding) != visual.dim:
            raise InvalidInputError(
                f"img: the embedding has {len(embedding)} values; the active model ({visual.model_id}) uses "
                f"{visual.dim}. Pass an embedding from visual search.",
                field="img",
            )
        collection = self._vectors.collection(account_id, visual.space, visual.model_id, visual.dim)
        hits = self._vectors.query(collection, np.asarray(embedding, dtype=np.float32), n_rec * 4)
        ranked = list(dict.fromkeys(hit.id.split(":", 1)[0] for hit in hits))
        products = self._catalog.by_pk(account_id, ranked)
        in_class = [pk for pk in ranked if pk in products and _class_of(products[pk]) == detected_class]
        others = [pk for pk in ranked if pk in products and pk not in in_class]
        return [seed003_product(products[pk]) for pk in (in_class + others)[:n_rec]]

    def _categories(self, account_id: str, pks: list[str]) -> dict[str, str]:
        products = self._catalog.by_pk(account_id, sorted(set(pks)))
        return {pk: product.category for pk, product in products.items() if product.category}


def _class_of(product) -> int | None:
    return detection.class_id(product.category) if product.category else None


def _detection(box: detection.Box, vector: np.ndarray, category: str | None, confidence: float) -> dict[str, Any]:
    return {
        "box": box,
        "xcenter": (box.left + box.right) // 2,
        "ycenter": (box.top + box.bottom) // 2,
        "width": box.right - box.left,
        "height": box.bottom - box.top,
        "confidence": round(confidence, 4),
        "class": detection.class_id(category) if category else -1,
        "name": category or "",
        "embedding": [round(float(value), 6) for value in vector],
    }


def decode_data_url(img: str) -> bytes:
    """``data:image/jpeg;base64,...`` or bare base64, as seed 003 sends photos."""
    payload = img.split(",", 1)[1] if img.startswith("data:") else img
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError("img: not valid base64 (expected data:image/...;base64,...).", field="img") from None
    if not data:
        raise InvalidInputError("img: the image is empty.", field="img")
    return data
