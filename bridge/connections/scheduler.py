"""Scheduled syncs with APScheduler: declarative, reconciled, one scheduler per deployment.

Each scheduled connector has one job, ``sync:{account}:{connector}``, added with
``replace_existing``, ``coalesce`` and ``max_instances=1``: a missed or overlapping run
collapses into one. Jobs live in memory and are rebuilt from SQL by :meth:`reconcile` at start
and every minute, which also drops the ids of connectors deleted or unscheduled meanwhile (by
another process, since the API may run elsewhere). Nothing starts until :meth:`start` is
called: ``make run``'s gunicorn hook does so in its single process, ``flask bridge scheduler``
does when several processes serve. A file lock refuses a second scheduler on the same data dir.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC
from pathlib import Path
from typing import Any, TextIO

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bridge.errors import ConflictError, InvalidInputError
from bridge.filelock import hold_exclusive

log = logging.getLogger(__name__)
JOB_PREFIX = "sync:"
RECONCILE_JOB = "connectors:reconcile"
MIN_INTERVAL, MAX_INTERVAL = 5, 7 * 24 * 60  # minutes
SCHEDULE_KEYS = {"interval_minutes", "cron", "mode"}


def job_id(account_id: str, connector_id: str) -> str:
    return f"{JOB_PREFIX}{account_id}:{connector_id}"


def trigger_for(schedule: dict[str, Any]) -> BaseTrigger:
    """``{"interval_minutes": 60}`` or ``{"cron": "0 3 * * *"}`` (UTC), plus an optional
    ``"mode"``: ``incremental`` (default; the first run is full) or ``full``."""
    unknown = set(schedule) - SCHEDULE_KEYS
    if unknown:
        raise InvalidInputError(
            f"schedule.{sorted(unknown)[0]}: unknown field.", field=f"schedule.{sorted(unknown)[0]}"
        )
    if schedule.get("mode", "incremental") not in ("incremental", "full"):
        raise InvalidInputError("schedule.mode: must be incremental or full.", field="schedule.mode")
    if ("interval_minutes" in schedule) == ("cron" in schedule):
        raise InvalidInputError("schedule: give exactly one of interval_minutes and cron.", field="schedule")
    if "cron" in schedule:
        try:
            return CronTrigger.from_crontab(str(schedule["cron"]), timezone=UTC)
        except ValueError as exc:
            raise InvalidInputError(f"schedule.cron: {exc}", field="schedule.cron") from None
    minutes = schedule["interval_minutes"]
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not MIN_INTERVAL <= minutes <= MAX_INTERVAL:
        raise InvalidInputError(
            f"schedule.interval_minutes: must be a whole number from {MIN_INTERVAL} to {MAX_INTERVAL}.",
            field="schedule.interval_minutes",
        )
    return IntervalTrigger(minutes=minutes, timezone=UTC)


class SyncScheduler:
    def __init__(
        self,
        scheduled: Callable[[], list[Any]],
        run_sync: Callable[[str], Any],
        lock_path: Path,
        *,
        scheduler: BaseScheduler | None = None,
        context: Callable[[], AbstractContextManager] = nullcontext,
        reconcile_seconds: int = 60,
    ):
        self._scheduled = scheduled
        self._run_sync = run_sync
        self._lock_path = lock_path
        self._scheduler = scheduler or BackgroundScheduler(timezone=UTC)
        self._context = context  # the CLI passes app.app_context, so each job runs inside one
        self._reconcile_seconds = reconcile_seconds
        self._lock: TextIO | None = None

    @property
    def running(self) -> bool:
        return self._scheduler.running

    def start(self) -> None:
        self._lock = hold_exclusive(self._lock_path)
        if self._lock is None:
            raise ConflictError(
                f"Another sync scheduler already runs on this data directory ({self._lock_path}): "
                "run exactly one per deployment."
            )
        self.reconcile()
        self._scheduler.add_job(
            self.reconcile,
            IntervalTrigger(seconds=self._reconcile_seconds, timezone=UTC),
            id=RECONCILE_JOB,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        self._scheduler.start()
        log.info("sync scheduler started with %d connector jobs", len(self.jobs()))

    def reconcile(self) -> dict[str, int]:
        """Make the jobs match the scheduled connectors in SQL; a job whose schedule did not
        change is left alone, so its next run time is not pushed back every minute."""
        wanted = {job_id(row.account_id, row.id): row for row in self._scheduled()}
        removed = added = 0
        for job in self.jobs():
            if job.id not in wanted:
                job.remove()
                removed += 1
        for identifier, row in wanted.items():
            signature = json.dumps(row.schedule, sort_keys=True)
            current = self._scheduler.get_job(identifier)
            if current is not None and current.kwargs.get("signature") == signature:
                continue
            self._scheduler.add_job(
                self._job,
                trigger_for(row.schedule),
                id=identifier,
                name=f"sync {row.platform} {row.name}",
                kwargs={"connector_id": row.id, "signature": signature},
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=300,
            )
            added += 1
        if added or removed:
            log.info("scheduler reconciled: %d jobs added or replaced, %d stale removed", added, removed)
        return {"added": added, "removed": removed}

    def jobs(self) -> list[Any]:
        return [job for job in self._scheduler.get_jobs() if job.id.startswith(JOB_PREFIX)]

    def _job(self, connector_id: str, signature: str) -> None:
        with self._context():
            try:
                self._run_sync(connector_id)
            except Exception:  # one connector's bug must not stop the scheduler thread's others
                log.exception("scheduled sync of connector=%s failed", connector_id)

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._lock is not None:
            self._lock.close()
            self._lock = None
