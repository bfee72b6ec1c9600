"""The product table: SQL is the source of truth for every derived index."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.db import Base, UTCDateTime, new_id, utcnow


class Product(Base):
    """One product of one account, as the merchant described it plus what indexing found."""

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("account_id", "product_id", name="uq_products_account_product"),
        Index("ix_products_account_category", "account_id", "category"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(500), nullable=True)
    category: Mapped[str | None] = mapped_column(String(300), nullable=True)
    brand: Mapped[str | None] = mapped_column(String(200), nullable=True)
    price: Mapped[float | None] = mapped_column(Float, nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the merchant's full metadata
    # [{url, sha256, width, height}] in the merchant's order; the first is the main photo.
    images: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{hex, name, share}] of the main photo, largest first.
    colors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    visual_model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    text_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DuplicatePair(Base):
    """A newly indexed product whose photo nearly equals another product's photo."""

    __tablename__ = "duplicate_pairs"
    __table_args__ = (UniqueConstraint("product_pk", "existing_pk", name="uq_duplicate_pairs"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    product_pk: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    existing_pk: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    similarity: Mapped[float] = mapped_column(Float)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
