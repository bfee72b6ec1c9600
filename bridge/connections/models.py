"""Connector configuration and sync state. Credentials are stored only encrypted (see crypto)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.db import Base, UTCDateTime, new_id, utcnow


class Connector(Base):
    """One shop platform an account syncs its catalog from."""

    __tablename__ = "connectors"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    shop_url: Mapped[str] = mapped_column(String(500))
    credentials: Mapped[str] = mapped_column(Text)  # Fernet token of the JSON credentials
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # {"interval_minutes": 60} or {"cron": "0 3 * * *"}; null: only by hand and by webhooks.
    schedule: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    bookmark: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncRun(Base):
    """One pass over a connector's catalog; ``cursor`` is where a resumed run continues."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_connector_started", "connector_id", "started_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    connector_id: Mapped[str] = mapped_column(ForeignKey("connectors.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(20))  # full, incremental, file, file_full, retry
    status: Mapped[str] = mapped_column(String(20))  # running, succeeded, failed, interrupted
    trigger: Mapped[str] = mapped_column(String(20), default="api")  # api, schedule, cli
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Renewed with every committed page: a running run whose heartbeat is older than the lease
    # belongs to a process that died, and may be resumed by another.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cursor: Mapped[str | None] = mapped_column(Text, nullable=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    max_updated: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class SyncedItem(Base):
    """A product a connector put into the catalog, with the hash of what it sent."""

    __tablename__ = "synced_items"
    __table_args__ = (
        UniqueConstraint("connector_id", "product_id", name="uq_synced_items_connector_product"),
        Index("ix_synced_items_connector_run", "connector_id", "last_run_id"),
        Index("ix_synced_items_connector_group", "connector_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connector_id: Mapped[str] = mapped_column(ForeignKey("connectors.id", ondelete="CASCADE"))
    product_id: Mapped[str] = mapped_column(String(200))
    group_id: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)  # null: failed, retry
    # The platform's last-modified time of what was sent: an older version never replaces it.
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncFailure(Base):
    """A product that could not be indexed, with why; kept until a later attempt succeeds."""

    __tablename__ = "sync_failures"
    __table_args__ = (UniqueConstraint("connector_id", "product_id", name="uq_sync_failures_connector_product"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    connector_id: Mapped[str] = mapped_column(ForeignKey("connectors.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    product_id: Mapped[str] = mapped_column(String(200))
    group_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)  # to retry with
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookReceipt(Base):
    """A platform delivery already handled: platforms redeliver, and we act once."""

    __tablename__ = "connector_webhook_receipts"
    __table_args__ = (UniqueConstraint("connector_id", "delivery_id", name="uq_webhook_receipts_delivery"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connector_id: Mapped[str] = mapped_column(ForeignKey("connectors.id", ondelete="CASCADE"))
    delivery_id: Mapped[str] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
