"""The in-process job worker: runs pending job items in chunks, resuming after restarts.

Progress is committed per chunk (item results and job counters in one transaction),
so a server killed mid-job loses at most the chunk in flight, and that chunk is
simply redone when the worker starts again: indexing is idempotent per product.
While the model embeds one chunk, a thread already fetches the images of the next.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from bridge.catalog.service import CatalogService
from bridge.db import Database
from bridge.errors import BridgeError
from bridge.jobs.models import COMPLETED, FAILED, PENDING, PROCESSING, QUEUED, SUCCEEDED, Job, JobItem

log = logging.getLogger(__name__)
CHUNK_SIZE = 32
IDLE_POLL_SECONDS = 2.0


class JobWorker:
    def __init__(
        self,
        db: Database,
        catalog: CatalogService,
        on_finished: Callable[[str], None],
        clock: Callable[[], datetime],
        chunk_size: int = CHUNK_SIZE,
    ):
        self._db = db
        self._catalog = catalog
        self._on_finished = on_finished
        self._clock = clock
        self._chunk_size = chunk_size
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._prefetch = ThreadPoolExecutor(max_workers=1, thread_name_prefix="job-prefetch")

    def start(self) -> None:
        """Run in a background thread; jobs left unfinished by a previous process resume."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="job-worker", daemon=True)
            self._thread.start()
            log.info("job worker started")

    def stop(self, timeout: float = 10) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._prefetch.shutdown(wait=False, cancel_futures=True)

    def notify(self) -> None:
        self._wake.set()

    def run_until_idle(self) -> int:
        """Process every runnable job now, in this thread; returns how many ran."""
        count = 0
        while (job_id := self._next_job()) is not None:
            self._run(job_id)
            count += 1
        return count

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                if self.run_until_idle() == 0:
                    self._wake.wait(IDLE_POLL_SECONDS)
                    self._wake.clear()
            except Exception:  # keep the worker alive; the job stays resumable
                log.exception("job worker iteration failed")
                self._stopping.wait(IDLE_POLL_SECONDS)

    def _next_job(self) -> str | None:
        with self._db.transaction() as session:
            return session.scalar(
                select(Job.id).where(Job.status.in_((QUEUED, PROCESSING))).order_by(Job.created_at).limit(1)
            )

    def _run(self, job_id: str) -> None:
        with self._db.transaction() as session:
            job = session.get(Job, job_id)
            resumed = job.status == PROCESSING
            job.status = PROCESSING
            job.started_at = job.started_at or self._clock()
            account_id = job.account_id
            pending = session.scalars(
                select(JobItem.id).where(JobItem.job_id == job_id, JobItem.status == PENDING).order_by(JobItem.position)
            ).all()
        log.info("job %s job=%s pending=%s", "resumed" if resumed else "started", job_id, len(pending))
        chunks = [pending[i : i + self._chunk_size] for i in range(0, len(pending), self._chunk_size)]
        upcoming: Future | None = self._prefetch.submit(self._prepare, account_id, chunks[0]) if chunks else None
        for index in range(len(chunks)):
            if self._stopping.is_set():
                return
            items, drafts = upcoming.result()
            upcoming = (
                self._prefetch.submit(self._prepare, account_id, chunks[index + 1]) if index + 1 < len(chunks) else None
            )
            started = time.perf_counter()
            outcomes = self._catalog.commit_prepared(drafts)
            self._record(job_id, items, outcomes, (time.perf_counter() - started) * 1000 / max(1, len(items)))
        self._finish(job_id)

    def _prepare(self, account_id: str, item_ids: list[int]) -> tuple[list[JobItem], Any]:
        with self._db.transaction() as session:
            items = session.scalars(select(JobItem).where(JobItem.id.in_(item_ids)).order_by(JobItem.position)).all()
        return items, self._catalog.prepare(account_id, [item.payload for item in items])

    def _record(self, job_id: str, items: list[JobItem], outcomes: list[Any], ms_per_item: float) -> None:
        now = self._clock()
        failed = 0
        with self._db.transaction() as session:
            for item, outcome in zip(items, outcomes, strict=True):
                values: dict[str, Any] = {"status": SUCCEEDED, "finished_at": now, "duration_ms": ms_per_item}
                if isinstance(outcome, BridgeError):
                    failed += 1
                    values.update(status=FAILED, error=outcome.message, error_field=outcome.field)
                session.execute(update(JobItem).where(JobItem.id == item.id).values(**values))
            session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(
                    processed=Job.processed + len(items),
                    succeeded=Job.succeeded + len(items) - failed,
                    failed=Job.failed + failed,
                )
            )

    def _finish(self, job_id: str) -> None:
        with self._db.transaction() as session:
            job = session.get(Job, job_id)
            job.status = FAILED if job.succeeded == 0 and job.total > 0 else COMPLETED
            job.finished_at = self._clock()
        log.info("job finished job=%s status=%s succeeded=%s failed=%s", job_id, job.status, job.succeeded, job.failed)
        self._on_finished(job_id)
