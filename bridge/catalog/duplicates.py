"""Near-duplicate detection at indexing time.

When a product's new photo scores above the threshold (0.95, the reference API's
figure, on the calibrated ``similarity_score`` scale) against another product's photo,
the pair is recorded: merchants list them to clean up double listings, and webhooks
announce them. Detection never blocks indexing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import aliased

from bridge.catalog.models import DuplicatePair, Product
from bridge.db import Database
from bridge.search.scoring import similarity_score
from bridge.vectors.store import VectorStore

log = logging.getLogger(__name__)
DUPLICATE_THRESHOLD = 0.95


class DuplicateDetector:
    def __init__(self, db: Database, vectors: VectorStore, clock: Callable[[], datetime]):
        self._db = db
        self._vectors = vectors
        self._clock = clock

    def check(self, account_id: str, product_pk: str, collection: Any, space: str, vector: np.ndarray) -> None:
        """Record the most similar other product if it is a near-duplicate of this photo."""
        try:
            self._check(account_id, product_pk, collection, space, vector)
        except Exception:  # detection is advisory: it must never fail the indexing it follows
            log.exception("duplicate check failed account=%s product=%s", account_id, product_pk)

    def _check(self, account_id: str, product_pk: str, collection: Any, space: str, vector: np.ndarray) -> None:
        for hit in self._vectors.query(collection, vector, 5):
            other = hit.id.split(":", 1)[0]
            if other == product_pk:
                continue
            score = similarity_score(space, hit.similarity)
            if score > DUPLICATE_THRESHOLD:
                self._record(account_id, product_pk, other, score)
            return

    def _record(self, account_id: str, product_pk: str, existing_pk: str, score: float) -> None:
        with self._db.transaction() as session:
            known = session.scalar(
                select(DuplicatePair).where(
                    DuplicatePair.product_pk == product_pk, DuplicatePair.existing_pk == existing_pk
                )
            )
            if known is None:
                session.add(
                    DuplicatePair(
                        account_id=account_id,
                        product_pk=product_pk,
                        existing_pk=existing_pk,
                        similarity=score,
                        detected_at=self._clock(),
                    )
                )
        log.info(
            "duplicate detected account=%s product=%s existing=%s score=%.3f",
            account_id,
            product_pk,
            existing_pk,
            score,
        )

    def list(self, account_id: str, page: int, per_page: int) -> list[dict[str, Any]]:
        new, old = aliased(Product), aliased(Product)
        query = (
            select(DuplicatePair, new.product_id, old.product_id)
            .join(new, new.id == DuplicatePair.product_pk)
            .join(old, old.id == DuplicatePair.existing_pk)
            .where(DuplicatePair.account_id == account_id)
            .order_by(DuplicatePair.detected_at.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        with self._db.transaction() as session:
            rows = session.execute(query).all()
        return [
            {
                "product_id": new_id_,
                "duplicate_of": old_id,
                "similarity_score": round(pair.similarity, 4),
                "detected_at": pair.detected_at,
            }
            for pair, new_id_, old_id in rows
        ]
