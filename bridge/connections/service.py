"""Connectors as accounts configure them: create, change, test, and read their runs and failures.

Credentials are sealed before they reach SQL and never leave this module again except to build
a connector: views show only which credential fields are set. Every input is checked against
the platform's own schemas, so a 4xx names the exact field (``credentials.consumer_key``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

import marshmallow as ma
from sqlalchemy import func, select

from bridge import outbound
from bridge.connections.crypto import CredentialBox
from bridge.connections.models import Connector, SyncFailure, SyncRun
from bridge.connections.scheduler import trigger_for
from bridge.db import Database
from bridge.errors import InvalidInputError, NotFoundError
from bridge.jobs.service import first_error  # the bulk API's field naming, reused
from connectors import registry
from connectors.base import Check, ConnectorError, ConnectorSettings
from connectors.base import Connector as PlatformConnector
from connectors.http import PlatformHttp

log = logging.getLogger(__name__)
CONNECTOR_USER_AGENT = "Bridge/0.1 (+catalog connector)"


class ConnectorService:
    def __init__(
        self,
        db: Database,
        box: CredentialBox,
        policy: outbound.OutboundPolicy,
        public_url: str,
        clock: Callable[[], datetime],
        *,
        sleep: Callable[[float], None] | None = None,
        disabled: tuple[str, ...] = (),
    ):
        self._db = db
        self._box = box
        # Platform listings are bigger and slower than a product photo: give them a minute.
        self._policy = replace(policy, total_timeout=60, user_agent=CONNECTOR_USER_AGENT)
        self._public_url = public_url
        self._clock = clock
        self._sleep = sleep
        self.platforms = registry.enabled(disabled)

    # -- configuration --------------------------------------------------------------------

    def describe_platforms(self) -> list[dict[str, Any]]:
        return [registry.describe(connector) for connector in self.platforms.values()]

    def create(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        platform = self._platform(body["platform"])
        row = Connector(
            account_id=account_id,
            platform=platform.name,
            name=body.get("name") or platform.title,
            shop_url=self._shop_url(body.get("shop_url"), platform),
            credentials=self._box.seal(
                _load(platform.credentials_schema, body.get("credentials") or {}, "credentials")
            ),
            options=_load(platform.options_schema, body.get("options") or {}, "options"),
            schedule=_schedule(body.get("schedule")),
            enabled=body.get("enabled", True),
            created_at=self._clock(),
            updated_at=self._clock(),
        )
        with self._db.transaction() as session:
            session.add(row)
        log.info("connector created account=%s connector=%s platform=%s", account_id, row.id, row.platform)
        return self.view(row)

    def update(self, account_id: str, connector_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Merge ``credentials`` and ``options`` key by key (null removes one); replace the rest."""
        row = self._changed(self.get(account_id, connector_id), changes)
        row.updated_at = self._clock()
        with self._db.transaction() as session:
            session.merge(row)
        return self.view(row)

    def _changed(self, row: Connector, changes: dict[str, Any]) -> Connector:
        """``row`` (detached, so nothing is saved here) with ``changes`` applied and validated."""
        platform = self._platform(row.platform)
        if "credentials" in changes:
            merged = {**self._box.open(row.credentials), **(changes["credentials"] or {})}
            credentials = {key: value for key, value in merged.items() if value is not None}
            row.credentials = self._box.seal(_load(platform.credentials_schema, credentials, "credentials"))
        if "options" in changes:
            merged = {**row.options, **(changes["options"] or {})}
            row.options = _load(platform.options_schema, {k: v for k, v in merged.items() if v is not None}, "options")
        if "shop_url" in changes:
            row.shop_url = self._shop_url(changes["shop_url"], platform)
        if "schedule" in changes:
            row.schedule = _schedule(changes["schedule"])
        for key in ("name", "enabled"):
            if key in changes:
                setattr(row, key, changes[key])
        return row

    def delete(self, account_id: str, connector_id: str) -> None:
        """Forget the connector and its sync state; the products it indexed stay in the catalog."""
        row = self.get(account_id, connector_id)
        with self._db.transaction() as session:
            session.delete(session.get(Connector, row.id))

    def get(self, account_id: str, connector_id: str) -> Connector:
        with self._db.transaction() as session:
            row = session.get(Connector, connector_id)
        if row is None or row.account_id != account_id:
            raise NotFoundError(f"No connector {connector_id!r}.", field="connector_id")
        return row

    def describe(self, account_id: str, connector_id: str) -> dict[str, Any]:
        return self.view(self.get(account_id, connector_id))

    def find(self, connector_id: str) -> Connector:
        """Any account's connector: for webhooks, which prove who they are by signature."""
        with self._db.transaction() as session:
            row = session.get(Connector, connector_id)
        if row is None:
            raise NotFoundError(f"No connector {connector_id!r}.", field="connector_id")
        return row

    def list(self, account_id: str) -> list[dict[str, Any]]:
        with self._db.transaction() as session:
            rows = session.scalars(
                select(Connector).where(Connector.account_id == account_id).order_by(Connector.created_at)
            ).all()
        return [self.view(row) for row in rows]

    def scheduled(self) -> list[Connector]:
        with self._db.transaction() as session:
            return list(session.scalars(select(Connector).where(Connector.enabled, Connector.schedule.is_not(None))))

    def view(self, row: Connector) -> dict[str, Any]:
        """The public shape: which credentials are set, never their values; how the last run went."""
        with self._db.transaction() as session:
            last_run = session.scalar(
                select(SyncRun).where(SyncRun.connector_id == row.id).order_by(SyncRun.started_at.desc()).limit(1)
            )
            failed_items = session.scalar(select(func.count(SyncFailure.id)).where(SyncFailure.connector_id == row.id))
        return {
            "id": row.id,
            "platform": row.platform,
            "name": row.name,
            "shop_url": row.shop_url,
            "options": row.options,
            "schedule": row.schedule,
            "enabled": row.enabled,
            "bookmark": row.bookmark,
            "credentials_set": sorted(self._box.open(row.credentials)),
            "webhook_url": self._webhook_url(row),
            "last_run": last_run,
            "failed_items": failed_items,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }

    def _webhook_url(self, row: Connector, public_url: str | None = None) -> str:
        return f"{(public_url or self._public_url).rstrip('/')}/v1/connectors/{row.id}/webhooks/{row.platform}"

    # -- reaching the platform ------------------------------------------------------------

    def connector(self, row: Connector, *, max_tries: int = 6) -> PlatformConnector:
        """A live connector for ``row``, credentials decrypted only for its lifetime."""
        settings = ConnectorSettings(row.shop_url, self._box.open(row.credentials), row.options)
        kwargs = {"sleep": self._sleep} if self._sleep else {}
        return self._platform(row.platform)(settings, PlatformHttp(self._policy, max_tries=max_tries, **kwargs))

    def test(self, account_id: str, connector_id: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
        """Try the connection once, without retries, and report each step. ``changes`` (a new
        shop URL, credentials or options) are tried without being saved: test, then PATCH."""
        row = self._changed(self.get(account_id, connector_id), changes or {})
        try:
            checks = self.connector(row, max_tries=1).check()
        except ConnectorError as exc:
            checks = [_failed_check(exc)]
        failed = next((check for check in checks if not check.ok), None)
        return {
            "ok": failed is None,
            "reason": failed.reason if failed else None,
            "detail": failed.detail if failed else "Connected.",
            "checks": [vars(check) for check in checks],
        }

    def subscribe_webhooks(self, account_id: str, connector_id: str, public_url: str | None = None) -> dict[str, Any]:
        """Register this connector's webhook URL on the platform, for every product topic.
        ``public_url`` replaces ``BRIDGE_PUBLIC_URL`` when the shop reaches Bridge elsewhere."""
        row = self.get(account_id, connector_id)
        url = self._webhook_url(row, public_url)
        try:
            topics = self.connector(row, max_tries=2).subscribe(url)
        except ConnectorError as exc:
            return {"ok": False, "reason": exc.reason, "detail": exc.message, "webhook_url": url, "topics": []}
        log.info("webhooks subscribed connector=%s topics=%s", row.id, ",".join(topics))
        return {"ok": True, "reason": None, "detail": "Subscribed.", "webhook_url": url, "topics": topics}

    # -- runs and failures ------------------------------------------------------------------

    def runs(self, account_id: str, connector_id: str, page: int, per_page: int) -> dict[str, Any]:
        self.get(account_id, connector_id)
        query = select(SyncRun).where(SyncRun.connector_id == connector_id)
        return self._page(query, SyncRun.started_at.desc(), page, per_page, "runs")

    def run(self, account_id: str, connector_id: str, run_id: str) -> SyncRun:
        self.get(account_id, connector_id)
        with self._db.transaction() as session:
            run = session.get(SyncRun, run_id)
        if run is None or run.connector_id != connector_id:
            raise NotFoundError(f"No sync run {run_id!r}.", field="run_id")
        return run

    def failures(self, account_id: str, connector_id: str, page: int, per_page: int) -> dict[str, Any]:
        self.get(account_id, connector_id)
        query = select(SyncFailure).where(SyncFailure.connector_id == connector_id)
        return self._page(query, SyncFailure.last_failed_at.desc(), page, per_page, "failed_items")

    def _page(self, query, order, page: int, per_page: int, key: str) -> dict[str, Any]:
        with self._db.transaction() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            rows = session.scalars(query.order_by(order).offset((page - 1) * per_page).limit(per_page)).all()
        return {key: rows, "total": total, "page": page, "per_page": per_page}

    # -- validation -----------------------------------------------------------------------

    def _platform(self, name: str) -> type[PlatformConnector]:
        if name not in self.platforms:
            raise InvalidInputError(f"platform must be one of {', '.join(self.platforms)}.", field="platform")
        return self.platforms[name]

    def _shop_url(self, url: str | None, platform: type[PlatformConnector]) -> str:
        if not url:
            if platform.name == "file":
                return ""
            raise InvalidInputError("shop_url: the shop's address is required.", field="shop_url")
        outbound.check_url(url, self._policy, field="shop_url")
        return url.rstrip("/")


def _load(schema: type[ma.Schema], data: Any, prefix: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInputError(f"{prefix} must be an object.", field=prefix)
    try:
        return schema(unknown=ma.RAISE).load(data)
    except ma.ValidationError as exc:
        field, message = first_error(exc.messages_dict, f"{prefix}.")
        raise InvalidInputError(f"{field}: {message}", field=field) from None


def _schedule(schedule: dict[str, Any] | None) -> dict[str, Any] | None:
    if schedule:
        trigger_for(schedule)  # raises InvalidInputError naming the field
    return schedule or None


def _failed_check(error: ConnectorError) -> Check:
    return Check("connection", False, error.message, error.reason)
