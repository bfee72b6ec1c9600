"""Sync state in SQL: runs, the products each connector synced (with content hashes), failures.

Implements :class:`connectors.sync.SyncStore`. Every method is one short transaction; a page's
items, failures and run counters are committed together, which is what makes resuming safe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from bridge.connections.models import Connector, SyncedItem, SyncFailure, SyncRun, WebhookReceipt
from bridge.db import Database
from bridge.errors import ConflictError
from connectors.base import ProductRecord
from connectors.sync import FAILED, INCREMENTAL, INTERRUPTED, RUNNING, SUCCEEDED, Known, PageResult, RunState

# Incremental syncs look this far behind the bookmark: platform clocks and replication lag
# drift a little, and re-reading a few products costs only a content-hash comparison.
OVERLAP = timedelta(minutes=5)
RECEIPT_TTL = timedelta(days=7)
LEASE = timedelta(minutes=2)  # see SyncRun.heartbeat_at
IN_CHUNK = 500  # ids per IN (...) clause, well under SQLite's variable limit


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start : start + IN_CHUNK]


class SqlSyncStore:
    def __init__(self, db: Database, clock: Callable[[], datetime]):
        self._db = db
        self._clock = clock

    def open_run(self, connector_id: str, mode: str, trigger: str = "api", resume: bool = True) -> RunState:
        """The unfinished run of this mode (a crash or an outage left it), or a new one. Refused
        while any run of the connector holds its lease (another process is carrying it).
        Without ``resume``, unfinished runs of the mode are closed as superseded first."""
        now = self._clock()
        with self._db.transaction() as session:
            unfinished = session.scalars(
                select(SyncRun)
                .where(SyncRun.connector_id == connector_id, SyncRun.status.in_((RUNNING, INTERRUPTED)))
                .order_by(SyncRun.started_at.desc())
            ).all()
            carried = next((r for r in unfinished if r.status == RUNNING and _holds_lease(r, now)), None)
            if carried is not None:
                raise ConflictError(
                    f"A sync of this connector is running (run {carried.id}, last page committed at "
                    f"{carried.heartbeat_at:%H:%M:%S} UTC); if its process died it can be resumed "
                    f"{LEASE.seconds // 60} minutes after that.",
                    field="connector_id",
                )
            same_mode = [r for r in unfinished if r.mode == mode]
            run = same_mode[0] if same_mode and resume else None
            if not resume:
                for stale in same_mode:
                    stale.status, stale.error, stale.finished_at = FAILED, "superseded by a newer run", now
            if run is None:
                bookmark = session.get(Connector, connector_id).bookmark
                since = bookmark - OVERLAP if mode == INCREMENTAL and bookmark else None
                run = SyncRun(
                    connector_id=connector_id,
                    mode=mode,
                    status=RUNNING,
                    trigger=trigger,
                    started_at=now,
                    since=since,
                )
                session.add(run)
                session.flush()
            run.status, run.error, run.heartbeat_at = RUNNING, None, now
            return RunState(run.id, run.mode, run.cursor, run.since)

    def known(self, connector_id: str, product_ids: list[str]) -> dict[str, Known]:
        known: dict[str, Known] = {}
        with self._db.transaction() as session:
            for chunk in _chunks(product_ids):
                rows = session.execute(
                    select(SyncedItem.product_id, SyncedItem.content_hash, SyncedItem.source_updated_at).where(
                        SyncedItem.connector_id == connector_id, SyncedItem.product_id.in_(chunk)
                    )
                )
                known.update((product_id, Known(content_hash, updated)) for product_id, content_hash, updated in rows)
        return known

    def commit_page(self, connector_id: str, run_id: str | None, result: PageResult) -> None:
        now = self._clock()
        with self._db.transaction() as session:
            self._save_items(session, connector_id, run_id, result, now)
            self._save_failures(session, connector_id, run_id, result, now)
            if run_id is not None:
                run = session.get(SyncRun, run_id)
                run.cursor, run.pages, run.heartbeat_at = result.cursor, run.pages + 1, now
                for counter in ("seen", "created", "updated", "unchanged", "failed", "deleted"):
                    setattr(run, counter, getattr(run, counter) + getattr(result, counter))
                if result.max_updated and (run.max_updated is None or result.max_updated > run.max_updated):
                    run.max_updated = result.max_updated

    def _save_items(self, session, connector_id: str, run_id: str | None, result: PageResult, now: datetime) -> None:
        ids = list(result.synced)
        existing = {}
        for chunk in _chunks(ids):
            query = select(SyncedItem).where(SyncedItem.connector_id == connector_id, SyncedItem.product_id.in_(chunk))
            existing.update({item.product_id: item for item in session.scalars(query)})
        for product_id, synced in result.synced.items():
            item = existing.get(product_id) or SyncedItem(connector_id=connector_id, product_id=product_id)
            item.content_hash, item.group_id, item.updated_at = synced.content_hash, synced.group_id, now
            item.source_updated_at = synced.updated_at
            if run_id is not None:
                item.last_run_id = run_id
            session.add(item)

    def _save_failures(self, session, connector_id: str, run_id: str | None, result: PageResult, now) -> None:
        for chunk in _chunks(result.succeeded):
            session.execute(
                delete(SyncFailure).where(SyncFailure.connector_id == connector_id, SyncFailure.product_id.in_(chunk))
            )
        for failed in result.failures:
            failure = session.scalar(
                select(SyncFailure).where(
                    SyncFailure.connector_id == connector_id, SyncFailure.product_id == failed.product_id
                )
            )
            if failure is None:
                failure = SyncFailure(
                    connector_id=connector_id, product_id=failed.product_id, attempts=0, first_failed_at=now
                )
            failure.run_id, failure.reason, failure.payload = run_id, failed.reason, failed.payload
            failure.group_id = failed.group_id
            failure.attempts, failure.last_failed_at = failure.attempts + 1, now
            session.add(failure)

    def finish_run(self, run_id: str, status: str, *, error: str | None = None, deleted: int = 0) -> None:
        """End a run. Success moves the connector's bookmark to the newest change the run saw,
        clamped to the run's start: anything changed after the start is read again next time."""
        with self._db.transaction() as session:
            run = session.get(SyncRun, run_id)
            run.status, run.error, run.finished_at = status, error, self._clock()
            run.deleted += deleted
            if status != SUCCEEDED:
                return
            run.cursor = None
            connector = session.get(Connector, run.connector_id)
            if run.max_updated is not None:
                reached = min(run.max_updated, run.started_at)
                connector.bookmark = max(reached, connector.bookmark) if connector.bookmark else reached

    def unseen(self, connector_id: str, run_id: str) -> list[str]:
        with self._db.transaction() as session:
            return list(
                session.scalars(
                    select(SyncedItem.product_id).where(
                        SyncedItem.connector_id == connector_id,
                        or_(SyncedItem.last_run_id.is_(None), SyncedItem.last_run_id != run_id),
                    )
                )
            )

    def remember_delivery(self, connector_id: str, delivery_id: str) -> bool:
        """True the first time a delivery id is seen for the connector; False for a redelivery.
        Receipts older than a week go: platforms stop redelivering long before (Shopify: 4 h)."""
        now = self._clock()
        try:
            with self._db.transaction() as session:
                session.execute(
                    delete(WebhookReceipt).where(
                        WebhookReceipt.connector_id == connector_id, WebhookReceipt.received_at < now - RECEIPT_TTL
                    )
                )
                session.add(WebhookReceipt(connector_id=connector_id, delivery_id=delivery_id[:300], received_at=now))
        except IntegrityError:
            return False
        return True

    def retryable(self, connector_id: str, product_ids: list[str] | None = None) -> list[ProductRecord]:
        """Failed products with what the platform last sent for them (file lines without one are not)."""
        query = select(SyncFailure).where(SyncFailure.connector_id == connector_id, SyncFailure.payload.is_not(None))
        with self._db.transaction() as session:
            failures = session.scalars(query).all()
        if product_ids is not None:
            wanted = set(product_ids)
            failures = [failure for failure in failures if failure.product_id in wanted]
        return [ProductRecord(f.product_id, f.payload, None, f.group_id or "") for f in failures]

    def seen_in_run(self, connector_id: str, run_id: str) -> int:
        with self._db.transaction() as session:
            return session.scalar(
                select(func.count(SyncedItem.id)).where(
                    SyncedItem.connector_id == connector_id, SyncedItem.last_run_id == run_id
                )
            )

    def members(self, connector_id: str, group_ids: list[str]) -> list[str]:
        with self._db.transaction() as session:
            return [
                product_id
                for chunk in _chunks(group_ids)
                for product_id in session.scalars(
                    select(SyncedItem.product_id).where(
                        SyncedItem.connector_id == connector_id, SyncedItem.group_id.in_(chunk)
                    )
                )
            ]

    def forget(self, connector_id: str, product_ids: list[str]) -> None:
        with self._db.transaction() as session:
            for chunk in _chunks(product_ids):
                for table in (SyncedItem, SyncFailure):
                    session.execute(
                        delete(table).where(table.connector_id == connector_id, table.product_id.in_(chunk))
                    )


def _holds_lease(run: SyncRun, now: datetime) -> bool:
    return run.heartbeat_at is not None and run.heartbeat_at > now - LEASE
