"""Search log: every search gets a query id, kept for analytics and feedback."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bridge.db import Base, UTCDateTime, utcnow


class SearchLog(Base):
    __tablename__ = "search_logs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(20))
    query_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Seed 003's shopper ids and language, so analytics can follow a session.
    user_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    session_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    result_count: Mapped[int] = mapped_column(Integer)
    took_ms: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
