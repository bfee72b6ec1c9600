"""Tables for shopper events and for the shopper ids that a login merged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bridge.db import Base, UTCDateTime, new_id, utcnow


class ShopperEvent(Base):
    """One thing a shopper did with a product: view, click, add_to_cart or purchase."""

    __tablename__ = "shopper_events"
    __table_args__ = (
        Index("ix_shopper_events_account_user", "account_id", "user_id"),
        Index("ix_shopper_events_account_time", "account_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    session_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    query_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShopperMerge(Base):
    """An anonymous shopper id that became a known one at login (seed 003 merge users)."""

    __tablename__ = "shopper_merges"
    __table_args__ = (Index("ix_shopper_merges_account_old", "account_id", "old_user_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    old_user_id: Mapped[str] = mapped_column(String(200))
    new_user_id: Mapped[str] = mapped_column(String(200))
    events_moved: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
