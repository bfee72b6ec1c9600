"""Running syncs: on request (in a background thread), on schedule, from files and webhooks.

A connector syncs one run at a time: this process claims it, and the run's lease (see
``SqlSyncStore.open_run``) keeps other processes off it; a second request gets 409. The
scheduler's ``max_instances=1`` guards the same for scheduled runs. Webhooks are verified and
deduplicated while the platform waits, then indexed in the background: Shopify gives a
delivery five seconds, which one product photo download can exceed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime
from typing import Any

from bridge.catalog.service import CatalogService
from bridge.connections.gateway import CatalogGateway
from bridge.connections.models import Connector, SyncRun
from bridge.connections.service import ConnectorService
from bridge.connections.state import SqlSyncStore
from bridge.db import Database
from bridge.errors import ConflictError, InvalidInputError, NotFoundError
from connectors import files
from connectors.base import ProductRecord, WebhookEvent
from connectors.sync import FILE, FILE_FULL, FULL, INCREMENTAL, RETRY, RunState, SyncEngine

log = logging.getLogger(__name__)
MODES = (FULL, INCREMENTAL)


class SyncService:
    def __init__(
        self,
        db: Database,
        connectors: ConnectorService,
        catalog: CatalogService,
        clock: Callable[[], datetime],
        workers: int = 2,
    ):
        self._connectors = connectors
        self._store = SqlSyncStore(db, clock)
        self._engine = SyncEngine(CatalogGateway(catalog), self._store)
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="connector-sync")
        self._busy: set[str] = set()
        self._futures: set[Future] = set()
        self._lock = threading.Lock()

    def start(self, account_id: str, connector_id: str, mode: str) -> SyncRun:
        """Open (or resume) a run and carry it out in the background; the run comes back at once."""
        if mode not in MODES:
            raise InvalidInputError(f"mode must be one of {', '.join(MODES)}.", field="mode")
        row = self._connectors.get(account_id, connector_id)
        self._connectors.connector(row)  # undecryptable credentials fail here, not in the thread
        run = self._open(row.id, mode, "api")
        self._submit(row.id, self._sync, row, run)
        return self._connectors.run(account_id, connector_id, run.id)

    def run_scheduled(self, connector_id: str) -> str | None:
        """What the scheduler calls: incremental from the bookmark (full the first time), or full."""
        row = self._connectors.find(connector_id)
        if not row.enabled or not row.schedule:
            return None
        mode = FULL if row.bookmark is None or row.schedule.get("mode") == FULL else INCREMENTAL
        try:
            run = self._open(row.id, mode, "schedule")
        except ConflictError as exc:
            log.info("scheduled sync of connector=%s skipped: %s", row.id, exc.message)
            return None
        return self._sync(row, run)

    def run_now(self, connector_id: str, mode: str, trigger: str = "cli") -> str:
        """A whole sync in the calling thread (the CLI, benchmarks)."""
        row = self._connectors.find(connector_id)
        return self._sync(row, self._open(row.id, mode, trigger))

    def _open(self, connector_id: str, mode: str, trigger: str, resume: bool = True) -> RunState:
        """Claim the connector in this process, then open its run (the store refuses a run that
        another process is still carrying); the claim is released if opening fails."""
        self._claim(connector_id)
        try:
            return self._store.open_run(connector_id, mode, trigger, resume=resume)
        except BaseException:
            self._release(connector_id)
            raise

    def _sync(self, row: Connector, run: RunState) -> str:
        try:
            return self._engine.sync(row.account_id, row.id, self._connectors.connector(row), run)
        finally:
            self._release(row.id)

    def retry_failures(self, account_id: str, connector_id: str, product_ids: list[str] | None = None) -> SyncRun:
        """Index the failed products (all, or only ``product_ids``) again from what the platform last sent."""
        self._connectors.get(account_id, connector_id)
        records = self._store.retryable(connector_id, product_ids)
        return self._import(account_id, connector_id, records, [], RETRY)

    def import_file(self, account_id: str, connector_id: str, file_format: str, data: bytes, replace: bool) -> SyncRun:
        """A catalog file; with ``replace``, products of this connector missing from it are deleted."""
        if file_format not in files.FORMATS:
            raise InvalidInputError(f"format must be one of {', '.join(files.FORMATS)}.", field="format")
        if not data.strip():
            raise InvalidInputError("file: the upload is empty.", field="file")
        self._connectors.get(account_id, connector_id)
        records, skipped = files.parse(file_format, data)
        return self._import(account_id, connector_id, records, skipped, FILE_FULL if replace else FILE)

    def _import(
        self,
        account_id: str,
        connector_id: str,
        records: list[ProductRecord],
        skipped: list[tuple[str, str]],
        mode: str,
    ) -> SyncRun:
        run = self._open(connector_id, mode, "api", resume=False)  # a file is read whole
        self._submit(connector_id, self._run_import, account_id, connector_id, run, records, skipped)
        return self._connectors.run(account_id, connector_id, run.id)

    def _run_import(self, account_id: str, connector_id: str, run: RunState, records, skipped) -> str:
        try:
            return self._engine.import_records(account_id, connector_id, run, records, skipped)
        finally:
            self._release(connector_id)

    def receive_webhook(self, connector_id: str, platform: str, headers: Mapping[str, str], body: bytes) -> dict:
        """Verify, dedupe, acknowledge; index in the background. A bad signature raises (401)."""
        row = self._connectors.find(connector_id)
        if row.platform != platform:
            raise NotFoundError(f"Connector {connector_id!r} is not a {platform} connector.", field="platform")
        connector = self._connectors.connector(row)
        event = connector.parse_webhook(headers, body)
        if event.ping:
            return {"status": "ok", "detail": "ping acknowledged"}
        if not row.enabled:
            return {"status": "ignored", "detail": "the connector is disabled"}
        if event.delivery_id and not self._store.remember_delivery(row.id, event.delivery_id):
            return {"status": "duplicate", "detail": f"delivery {event.delivery_id} was already handled"}
        self._submit(None, self._apply_event, row, connector, event)
        return {
            "status": "accepted",
            "detail": f"{len(event.upserts) + len(event.fetch)} to index, {len(event.deletes)} to delete",
        }

    def _apply_event(self, row: Connector, connector, event: WebhookEvent) -> None:
        if event.fetch:
            event = WebhookEvent(
                event.delivery_id, event.upserts + connector.fetch_products(event.fetch), event.deletes
            )
        result = self._engine.apply_event(row.account_id, row.id, event)
        log.info(
            "webhook applied connector=%s created=%d updated=%d unchanged=%d deleted=%d failed=%d",
            row.id,
            result.created,
            result.updated,
            result.unchanged,
            result.deleted,
            result.failed,
        )

    # -- background work ----------------------------------------------------------------------

    def _claim(self, connector_id: str) -> None:
        with self._lock:
            if connector_id in self._busy:
                raise ConflictError("A sync of this connector is already running.", field="connector_id")
            self._busy.add(connector_id)

    def _release(self, connector_id: str) -> None:
        with self._lock:
            self._busy.discard(connector_id)

    def _submit(self, claimed: str | None, task: Callable[..., Any], *args: Any) -> None:
        try:
            future = self._executor.submit(_logged, task, *args)
        except RuntimeError:  # shutting down
            if claimed:
                self._release(claimed)
            raise
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._futures.discard)

    def wait_idle(self, timeout: float | None = 60) -> None:
        """Block until background syncs and webhooks are done (CLI, tests, shutdown)."""
        with self._lock:
            pending = set(self._futures)
        wait(pending, timeout=timeout)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._engine.close()


def _logged(task: Callable[..., Any], *args: Any) -> Any:
    try:
        return task(*args)
    except Exception:
        log.exception("background connector task failed")
        raise
