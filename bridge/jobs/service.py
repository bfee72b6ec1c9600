"""Bulk indexing jobs: accepted at once, kept in SQL, run by :class:`bridge.jobs.worker.JobWorker`."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import marshmallow as ma
from sqlalchemy import select

from bridge.catalog.schemas import ProductInputSchema
from bridge.db import Database
from bridge.errors import NotFoundError
from bridge.jobs.models import FAILED, PENDING, QUEUED, Job, JobItem

log = logging.getLogger(__name__)
BULK_INDEX = "bulk_index"
MAX_ERRORS_SHOWN = 1000


class JobService:
    def __init__(self, db: Database, secret_key: str, clock: Callable[[], datetime], notify: Callable[[], None]):
        self._db = db
        self._secret_key = secret_key
        self._clock = clock
        self._notify = notify

    def create_bulk_index(
        self, account_id: str, products: list[Any], callback_url: str | None, callback_secret: str | None
    ) -> Job:
        """Store the job and one item per product. Items that fail validation are recorded
        as failed right away with their reason; the others wait for the worker."""
        now = self._clock()
        job = Job(
            account_id=account_id,
            kind=BULK_INDEX,
            status=QUEUED,
            total=len(products),
            callback_url=callback_url,
            callback_secret=callback_secret,
            created_at=now,
        )
        items = [self._item(position, raw, now) for position, raw in enumerate(products)]
        job.failed = job.processed = sum(1 for item in items if item.status == FAILED)
        if job.processed == job.total:
            job.status, job.started_at, job.finished_at = FAILED, now, now
        with self._db.transaction() as session:
            session.add(job)
            session.flush()
            for item in items:
                item.job_id = job.id
            session.add_all(items)
        log.info("bulk job created job=%s account=%s total=%s invalid=%s", job.id, account_id, job.total, job.failed)
        self._notify()
        return job

    def _item(self, position: int, raw: Any, now: datetime) -> JobItem:
        product_id = raw.get("product_id") if isinstance(raw, dict) and isinstance(raw.get("product_id"), str) else None
        try:
            payload = ProductInputSchema().load(raw)
        except ma.ValidationError as exc:
            field, message = first_error(exc.messages_dict)
            return JobItem(
                position=position,
                product_id=product_id,
                payload=raw if isinstance(raw, dict) else {"value": raw},
                status=FAILED,
                error=f"{field}: {message}",
                error_field=field,
                finished_at=now,
            )
        return JobItem(position=position, product_id=payload["product_id"], payload=payload, status=PENDING)

    def get(self, account_id: str, job_id: str) -> dict[str, Any]:
        with self._db.transaction() as session:
            job = session.get(Job, job_id)
            if job is None or job.account_id != account_id:
                raise NotFoundError(f"No job with id {job_id!r}.", field="job_id")
            failures = session.scalars(
                select(JobItem)
                .where(JobItem.job_id == job_id, JobItem.status == FAILED)
                .order_by(JobItem.position)
                .limit(MAX_ERRORS_SHOWN)
            ).all()
        return job_view(job, failures)

    def callback_secret(self, account_id: str) -> str:
        """The account's default secret for signing job callbacks (derived, never stored)."""
        digest = hmac.new(self._secret_key.encode(), f"job-callback:{account_id}".encode(), hashlib.sha256)
        return "whsec_" + digest.hexdigest()


def job_view(job: Job, failures: list[JobItem]) -> dict[str, Any]:
    duration = (job.finished_at - job.started_at).total_seconds() if job.started_at and job.finished_at else None
    return {
        "job_id": job.id,
        "type": job.kind,
        "status": job.status,
        "total": job.total,
        "processed": job.processed,
        "succeeded": job.succeeded,
        "failed": job.failed,
        "progress": round(job.processed / job.total, 4) if job.total else 1.0,
        "errors": [
            {"index": item.position, "product_id": item.product_id, "field": item.error_field, "error": item.error}
            for item in failures
        ],
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "duration_seconds": duration,
        "products_per_second": round(job.succeeded / duration, 2) if duration else None,
        "callback_url": job.callback_url,
        "callback_status": job.callback_status,
    }


def first_error(messages: dict[str, Any], prefix: str = "") -> tuple[str, str]:
    field, value = next(iter(messages.items()))
    name = f"{prefix}{field}" if field != "_schema" else prefix.rstrip(".") or "product"
    if isinstance(value, dict):
        return first_error(value, f"{name}.")
    return name, " ".join(str(item) for item in value) if isinstance(value, list) else str(value)
