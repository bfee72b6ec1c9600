"""Shopper events: what shoppers viewed, clicked, put in the cart and bought.

Widgets send them with anonymous user and session ids kept in the shop's first-party
storage; when the shopper logs in, :meth:`EventService.merge` moves the anonymous id's
history to the shop's own user id (seed 003 merge users). Recommendations read them
back: popularity (weighted by how strong each action is) and a shopper's recent views.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select, update

from bridge.db import Database
from bridge.errors import InvalidInputError
from bridge.events.models import ShopperEvent, ShopperMerge

EVENT_TYPES = ("view", "click", "add_to_cart", "purchase")
# How much one event says about interest in the product, for popularity.
EVENT_WEIGHTS = {"view": 1, "click": 2, "add_to_cart": 4, "purchase": 8}


class EventService:
    def __init__(self, db: Database, clock: Callable[[], datetime]):
        self._db = db
        self._clock = clock

    def record(self, account_id: str, event: dict[str, Any]) -> dict[str, str]:
        row = ShopperEvent(
            account_id=account_id,
            event_type=event["event"],
            item_id=event["item_id"],
            user_id=event.get("user_id"),
            session_id=event.get("session_id"),
            query_id=event.get("query_id"),
            quantity=event.get("quantity", 1),
            created_at=self._clock(),
        )
        with self._db.transaction() as session:
            session.add(row)
        return {"status": "ok", "id": row.id}

    def merge(self, account_id: str, old_user_id: str, new_user_id: str) -> dict[str, Any]:
        """Give the anonymous id's events to the logged-in user id, and remember the merge."""
        if old_user_id == new_user_id:
            raise InvalidInputError("new_user_id: must differ from old_user_id.", field="new_user_id")
        with self._db.transaction() as session:
            moved = session.execute(
                update(ShopperEvent)
                .where(ShopperEvent.account_id == account_id, ShopperEvent.user_id == old_user_id)
                .values(user_id=new_user_id)
            ).rowcount
            session.add(
                ShopperMerge(
                    account_id=account_id,
                    old_user_id=old_user_id,
                    new_user_id=new_user_id,
                    events_moved=moved,
                    created_at=self._clock(),
                )
            )
        return {"status": "ok", "events_moved": moved}

    def popular(self, account_id: str, days: int, limit: int) -> list[str]:
        """Product ids by weighted event count over the last ``days`` days, most popular first."""
        weight = case(*((ShopperEvent.event_type == t, w) for t, w in EVENT_WEIGHTS.items()), else_=0)
        score = func.sum(weight * ShopperEvent.quantity)
        since = self._clock() - timedelta(days=days)
        with self._db.transaction() as session:
            rows = session.execute(
                select(ShopperEvent.item_id, score)
                .where(ShopperEvent.account_id == account_id, ShopperEvent.created_at >= since)
                .group_by(ShopperEvent.item_id)
                .order_by(score.desc(), ShopperEvent.item_id)
                .limit(limit)
            ).all()
        return [item_id for item_id, _ in rows]

    def recently_viewed(self, account_id: str, user_id: str | None, session_id: str | None, limit: int) -> list[str]:
        """The shopper's last viewed products (by user id or session id), newest first, each once."""
        who = [ShopperEvent.user_id == user_id] if user_id else []
        who += [ShopperEvent.session_id == session_id] if session_id else []
        if not who:
            return []
        latest = func.max(ShopperEvent.created_at)
        with self._db.transaction() as session:
            rows = session.execute(
                select(ShopperEvent.item_id, latest)
                .where(ShopperEvent.account_id == account_id, ShopperEvent.event_type == "view", or_(*who))
                .group_by(ShopperEvent.item_id)
                .order_by(latest.desc())
                .limit(limit)
            ).all()
        return [item_id for item_id, _ in rows]
