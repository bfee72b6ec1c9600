"""Job completion callbacks: the final job, POSTed and signed like every Bridge webhook."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from bridge.db import Database
from bridge.jobs.models import Job
from bridge.jobs.service import JobService
from bridge.outbound import OutboundPolicy
from bridge.webhooks.delivery import deliver

log = logging.getLogger(__name__)


class JobCallbacks:
    """Delivers in its own thread, so a slow receiver never holds up the next job."""

    def __init__(self, db: Database, jobs: JobService, policy: OutboundPolicy, clock: Callable[[], datetime], **retry):
        self._db = db
        self._jobs = jobs
        self._policy = policy
        self._clock = clock
        self._retry = retry
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="job-callback")

    def job_finished(self, job_id: str) -> None:
        with self._db.transaction() as session:
            job = session.get(Job, job_id)
            url, account_id, secret = job.callback_url, job.account_id, job.callback_secret
        if url:
            self._pool.submit(self._deliver, job_id, account_id, url, secret)

    def _deliver(self, job_id: str, account_id: str, url: str, secret: str | None) -> None:
        view = self._jobs.get(account_id, job_id)
        payload = {
            "event": "job.completed",
            "timestamp": self._clock().isoformat(),
            "data": json.loads(json.dumps(view, default=str)),
        }
        result = deliver(url, payload, secret or self._jobs.callback_secret(account_id), self._policy, **self._retry)
        status = (
            f"delivered: HTTP {result.status_code} after {result.attempts} attempt(s)"
            if result.delivered
            else f"failed after {result.attempts} attempt(s): {result.error}"
        )
        with self._db.transaction() as session:
            session.get(Job, job_id).callback_status = status[:200]
        log.info("job callback job=%s url=%s %s", job_id, url, status)

    def close(self, wait: bool = False) -> None:
        self._pool.shutdown(wait=wait)
