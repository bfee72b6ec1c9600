"""The sync engine: pages from a connector into the catalog, with state that survives crashes.

A run commits after every page: the cursor to resume from, which products were seen, their
content hashes and the counters, in one transaction of the state store. A process killed
mid-sync leaves the run open, and the next sync of that connector resumes after the last
committed page instead of starting over. Records whose content hash did not change are not
sent to the catalog at all (no image download, no embedding). A full sync that reaches the end
deletes the products it did not see; incremental syncs never delete.

The engine knows the catalog and the state store only through the two protocols below; the
SQL behind them lives in ``bridge.connections``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from bridge.errors import BridgeError, NotFoundError
from connectors.base import Connector, ConnectorError, FatalError, Paginator, ProductRecord, WebhookEvent

log = logging.getLogger(__name__)
FULL, INCREMENTAL, FILE, FILE_FULL, RETRY = "full", "incremental", "file", "file_full", "retry"
DELETING_MODES = (FULL, FILE_FULL)  # runs that read the whole catalog, so what they miss is gone
SUCCEEDED, FAILED, INTERRUPTED, RUNNING = "succeeded", "failed", "interrupted", "running"
CHUNK_SIZE = 32


class CatalogPort(Protocol):
    """What the engine needs from Bridge's catalog: index in two halves (to overlap them), delete."""

    def prepare(self, account_id: str, payloads: list[dict[str, Any]]) -> Any: ...

    def commit(self, prepared: Any) -> list[Any]:
        """One outcome per payload: an object with ``created``, or the ``BridgeError``."""
        ...

    def delete(self, account_id: str, product_id: str) -> None: ...


@dataclass(frozen=True)
class RunState:
    id: str
    mode: str
    cursor: str | None
    since: datetime | None


class Known(NamedTuple):
    """What the store remembers of a synced product: the hash sent and the platform's version."""

    content_hash: str | None
    updated_at: datetime | None


class Synced(NamedTuple):
    content_hash: str | None  # None: not indexed (failed), so the next sync tries again
    group_id: str
    updated_at: datetime | None


@dataclass(frozen=True)
class Failure:
    """A product (or a file line) that could not be indexed, and what to retry it with."""

    product_id: str
    reason: str
    payload: dict[str, Any] | None = None
    group_id: str | None = None


@dataclass
class PageResult:
    """What one page changed; committed atomically with the cursor after it."""

    cursor: str | None = None
    seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    deleted: int = 0
    synced: dict[str, Synced] = field(default_factory=dict)
    succeeded: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    max_updated: datetime | None = None
    stale: set[str] = field(default_factory=set)  # older than what is indexed: left alone


class SyncStore(Protocol):
    def open_run(self, connector_id: str, mode: str, trigger: str = "api", resume: bool = True) -> RunState: ...

    def known(self, connector_id: str, product_ids: list[str]) -> dict[str, Known]: ...

    def commit_page(self, connector_id: str, run_id: str | None, result: PageResult) -> None: ...

    def finish_run(self, run_id: str, status: str, *, error: str | None = None, deleted: int = 0) -> None: ...

    def unseen(self, connector_id: str, run_id: str) -> list[str]: ...

    def seen_in_run(self, connector_id: str, run_id: str) -> int: ...

    def members(self, connector_id: str, group_ids: list[str]) -> list[str]: ...

    def forget(self, connector_id: str, product_ids: list[str]) -> None: ...


class SyncEngine:
    def __init__(self, catalog: CatalogPort, store: SyncStore, chunk_size: int = CHUNK_SIZE):
        self._catalog = catalog
        self._store = store
        self._chunk_size = chunk_size
        # One thread fetches the next chunk's images while this one embeds the current chunk.
        self._prefetch = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-prefetch")

    def sync(self, account_id: str, connector_id: str, connector: Connector, run: RunState) -> str:
        """Carry the opened (new or resumed) ``run`` to the end; returns its id. Never raises for
        platform faults: they end it ``failed`` (fatal) or ``interrupted`` (resumable), with the reason."""
        log.info("sync started run=%s connector=%s mode=%s cursor=%s", run.id, connector_id, run.mode, run.cursor)
        paginator = Paginator(run.cursor)
        try:
            while True:
                page = connector.fetch_page(paginator.cursor, run.since)
                result = self.apply(account_id, connector_id, page.records)
                result.failures += [Failure(product_id, reason) for product_id, reason in page.skipped]
                result.failed += len(page.skipped)
                result.cursor = page.next_cursor
                self._store.commit_page(connector_id, run.id, result)
                if not paginator.advance(page.next_cursor):
                    break
            deleted = self._delete_vanished(account_id, connector_id, run.id) if run.mode in DELETING_MODES else 0
        except FatalError as exc:
            self._end(run.id, FAILED, f"{exc.reason}: {exc.message}")
        except ConnectorError as exc:
            self._end(run.id, INTERRUPTED, f"{exc.reason}: {exc.message}")
        except Exception as exc:  # a bug or an outage of our own: keep the run resumable, say what broke
            log.exception("sync run=%s stopped by an unexpected error", run.id)
            self._end(run.id, INTERRUPTED, f"internal: {type(exc).__name__}")
        else:
            self._store.finish_run(run.id, SUCCEEDED, deleted=deleted)
            log.info("sync finished run=%s pages=%d deleted=%d", run.id, paginator.pages, deleted)
        return run.id

    def import_records(
        self,
        account_id: str,
        connector_id: str,
        run: RunState,
        records: list[ProductRecord],
        skipped: list[tuple[str, str]],
    ) -> str:
        """Records that did not come from paging (a catalog file, a retry) as the opened ``run``,
        committed in slices of 1,000; a ``file_full`` run then deletes what the file lacked."""
        try:
            for start in range(0, max(len(records), 1), 1000):
                result = self.apply(account_id, connector_id, records[start : start + 1000])
                if start == 0:
                    result.failures += [Failure(where, reason) for where, reason in skipped]
                    result.failed += len(skipped)
                self._store.commit_page(connector_id, run.id, result)
            deleted = self._delete_vanished(account_id, connector_id, run.id) if run.mode in DELETING_MODES else 0
        except FatalError as exc:
            self._end(run.id, FAILED, f"{exc.reason}: {exc.message}")
        except Exception as exc:  # nothing to resume from: a file is read whole, so say what broke
            log.exception("import run=%s stopped by an unexpected error", run.id)
            self._end(run.id, FAILED, f"internal: {type(exc).__name__}")
        else:
            self._store.finish_run(run.id, SUCCEEDED, deleted=deleted)
        return run.id

    def apply_event(self, account_id: str, connector_id: str, event: WebhookEvent) -> PageResult:
        """A verified webhook: upsert what it carries; delete what it names, variants included."""
        result = self.apply(account_id, connector_id, event.upserts)
        # Variants the product no longer has; not when the delivery was older than what is indexed.
        groups = {record.group_id for record in event.upserts if record.product_id not in result.stale}
        dropped = set(self._store.members(connector_id, sorted(groups))) - {r.product_id for r in event.upserts}
        removed = self._store.members(connector_id, event.deletes) or event.deletes
        result.deleted = self._delete(account_id, connector_id, sorted(dropped | set(removed)))
        self._store.commit_page(connector_id, None, result)
        return result

    def apply(self, account_id: str, connector_id: str, records: Sequence[ProductRecord]) -> PageResult:
        """Index what changed among ``records``; report everything (the caller commits it)."""
        unique = {record.product_id: record for record in records}  # a product listed twice counts once
        known = self._store.known(connector_id, list(unique))
        missing = Known(None, None)
        stale = {pid for pid, record in unique.items() if _older(record.updated_at, known.get(pid, missing).updated_at)}
        changed = [
            r
            for r in unique.values()
            if r.product_id not in stale and known.get(r.product_id, missing).content_hash != r.content_hash
        ]
        result = PageResult(seen=len(unique), unchanged=len(unique) - len(changed), stale=stale)
        result.synced = {
            pid: Synced(known.get(pid, missing).content_hash, record.group_id, known.get(pid, missing).updated_at)
            for pid, record in unique.items()
        }
        if stale:  # a delayed webhook, or a page read before a newer webhook: never go back in time
            log.info("kept newer versions of %d products connector=%s", len(stale), connector_id)
        stamps = [record.updated_at for record in unique.values() if record.updated_at is not None]
        result.max_updated = max(stamps, default=None)
        for chunk, outcomes in self._index(account_id, changed):
            for record, outcome in zip(chunk, outcomes, strict=True):
                if isinstance(outcome, BridgeError):
                    result.failed += 1
                    result.synced[record.product_id] = Synced(None, record.group_id, record.updated_at)
                    result.failures.append(
                        Failure(record.product_id, _reason(outcome), record.payload, record.group_id)
                    )
                    continue
                result.created += outcome.created
                result.updated += not outcome.created
                result.synced[record.product_id] = Synced(record.content_hash, record.group_id, record.updated_at)
                result.succeeded.append(record.product_id)
        return result

    def _index(self, account_id: str, records: list[ProductRecord]) -> Iterator[tuple[list[ProductRecord], list]]:
        chunks = [records[i : i + self._chunk_size] for i in range(0, len(records), self._chunk_size)]
        if not chunks:
            return
        pending = self._prefetch.submit(self._catalog.prepare, account_id, [r.payload for r in chunks[0]])
        for position, chunk in enumerate(chunks):
            prepared = pending.result()
            if position + 1 < len(chunks):
                payloads = [r.payload for r in chunks[position + 1]]
                pending = self._prefetch.submit(self._catalog.prepare, account_id, payloads)
            yield chunk, self._catalog.commit(prepared)

    def _delete_vanished(self, account_id: str, connector_id: str, run_id: str) -> int:
        """Delete what the run did not see; unless it saw nothing at all, which is far likelier a
        misconfiguration (a wrong vendor filter, a maintenance page) than a shop emptied on purpose."""
        vanished = self._store.unseen(connector_id, run_id)
        if vanished and not self._store.seen_in_run(connector_id, run_id):
            raise FatalError(
                f"The shop listed no products; none of the {len(vanished)} synced before was deleted.",
                reason="empty_catalog",
            )
        return self._delete(account_id, connector_id, vanished)

    def _delete(self, account_id: str, connector_id: str, product_ids: list[str]) -> int:
        deleted = 0
        for product_id in product_ids:
            try:
                self._catalog.delete(account_id, product_id)
                deleted += 1
            except NotFoundError:
                pass  # already gone from the catalog (deleted by hand): only the sync state remains
        self._store.forget(connector_id, product_ids)
        return deleted

    def _end(self, run_id: str, status: str, error: str) -> None:
        log.warning("sync run=%s ended %s: %s", run_id, status, error)
        self._store.finish_run(run_id, status, error=error)

    def close(self) -> None:
        self._prefetch.shutdown(wait=False, cancel_futures=True)


def _older(incoming: datetime | None, stored: datetime | None) -> bool:
    return incoming is not None and stored is not None and incoming < stored


def _reason(error: BridgeError) -> str:
    return (
        error.message if not error.field or error.message.startswith(error.field) else f"{error.field}: {error.message}"
    )
