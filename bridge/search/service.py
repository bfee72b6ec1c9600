"""Search by image, by image URL and by text over an account's vector spaces.

Every search is scoped to one account's collections and results are re-read from
SQL by account, so one account can never see another's products. Each response
carries a ``query_id`` (kept in the search log) and the time the search took.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
from PIL import Image

from bridge.catalog.images import ImageLoader
from bridge.catalog.service import CatalogService, product_view
from bridge.db import Database, new_id
from bridge.embedding.service import TEXT_SPACE, EmbeddingService
from bridge.search.filters import SearchFilters
from bridge.search.models import SearchLog
from bridge.search.scoring import similarity_score
from bridge.vectors.store import VectorStore

log = logging.getLogger(__name__)
IMAGES_PER_PRODUCT = 4  # over-fetch so that several photos of one product don't crowd out others


class SearchService:
    def __init__(
        self,
        db: Database,
        vectors: VectorStore,
        embeddings: EmbeddingService,
        catalog: CatalogService,
        images: ImageLoader,
        clock: Callable[[], datetime],
    ):
        self._db = db
        self._vectors = vectors
        self._embeddings = embeddings
        self._catalog = catalog
        self._images = images
        self._clock = clock

    def by_image(
        self,
        account_id: str,
        image: Image.Image,
        limit: int,
        threshold: float,
        filters: SearchFilters,
        mode: str = "image",
    ) -> dict[str, Any]:
        started = time.perf_counter()
        visual = self._embeddings.visual()
        vector = visual.embed_images([image])[0]
        scores = self._visual_scores(account_id, vector, visual.space, limit, filters)
        response = self._respond(account_id, mode, None, scores, limit, threshold, started)
        response["visual_model"] = visual.model_id
        return response

    def by_image_url(self, account_id: str, url: str, limit: int, threshold: float, filters: SearchFilters) -> dict:
        image = self._images.decode(self._images.fetch(url, "image_url"), "image_url")
        return self.by_image(account_id, image, limit, threshold, filters, mode="url")

    def by_upload(self, account_id: str, data: bytes, limit: int, threshold: float, filters: SearchFilters) -> dict:
        image = self._images.decode(data, "image")
        return self.by_image(account_id, image, limit, threshold, filters, mode="upload")

    def by_text(self, account_id: str, query: str, limit: int, threshold: float, filters: SearchFilters) -> dict:
        """MiniLM over product texts; plus CLIP text-to-image when real CLIP weights are loaded.
        A product's score is the better of the two, so imageless products are found too."""
        started = time.perf_counter()
        text_vector = self._embeddings.embed_texts([query])[0]
        collection = self._vectors.collection(
            account_id, TEXT_SPACE, self._embeddings.text_model_id, self._embeddings.text_dim()
        )
        scores = {
            hit.id: (similarity_score(TEXT_SPACE, hit.similarity), hit.similarity)
            for hit in self._vectors.query(collection, text_vector, limit * 2, filters.where())
        }
        visual = self._embeddings.visual()
        if visual.embed_query_texts is not None:
            clip_vector = visual.embed_query_texts([query])[0]
            for pk, score in self._visual_scores(account_id, clip_vector, "clip_text", limit, filters).items():
                scores[pk] = max(score, scores.get(pk, (0.0, -1.0)))
        return self._respond(account_id, "text", query, scores, limit, threshold, started)

    def _visual_scores(
        self, account_id: str, vector: np.ndarray, score_space: str, limit: int, filters: SearchFilters
    ) -> dict[str, tuple[float, float]]:
        """Best (score, cosine) per product over its photos."""
        visual = self._embeddings.visual()
        collection = self._vectors.collection(account_id, visual.space, visual.model_id, visual.dim)
        scores: dict[str, tuple[float, float]] = {}
        for hit in self._vectors.query(collection, vector, limit * IMAGES_PER_PRODUCT, filters.where()):
            pk = hit.id.split(":", 1)[0]
            scores[pk] = max(
                (similarity_score(score_space, hit.similarity), hit.similarity), scores.get(pk, (0.0, -1.0))
            )
        return scores

    def _respond(
        self,
        account_id: str,
        mode: str,
        query: str | None,
        scores: dict[str, tuple[float, float]],
        limit: int,
        threshold: float,
        started: float,
    ) -> dict[str, Any]:
        """Rank by calibrated score, then by raw cosine: the clamp to [0, 1] must not create ties."""
        ranked = sorted(((score, pk) for pk, score in scores.items() if score[0] >= threshold), reverse=True)[:limit]
        products = self._catalog.by_pk(account_id, [pk for _, pk in ranked])
        results = [
            {
                "product_id": products[pk].product_id,
                "similarity_score": score,
                "metadata": product_view(products[pk])["metadata"],
            }
            for (score, _cosine), pk in ranked
            if pk in products
        ]
        took_ms = round((time.perf_counter() - started) * 1000, 2)
        query_id = new_id()
        with self._db.transaction() as session:
            session.add(
                SearchLog(
                    id=query_id,
                    account_id=account_id,
                    mode=mode,
                    query_text=query,
                    result_count=len(results),
                    took_ms=took_ms,
                    created_at=self._clock(),
                )
            )
        return {"query_id": query_id, "query_time_ms": took_ms, "count": len(results), "results": results}
