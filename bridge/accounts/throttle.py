"""Throttling of repeated password guesses, kept in SQL so every worker agrees."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from bridge.accounts.models import LoginFailure
from bridge.db import Database
from bridge.errors import RateLimitedError


class LoginThrottle:
    """After ``max_failures`` wrong passwords for one email within ``window`` seconds,
    further attempts are refused until the oldest failure leaves the window."""

    def __init__(self, db: Database, max_failures: int, window_seconds: int, clock: Callable[[], datetime]):
        self._db = db
        self._max = max_failures
        self._window = timedelta(seconds=window_seconds)
        self._clock = clock

    def check(self, email: str) -> None:
        since = self._clock() - self._window
        with self._db.transaction() as session:
            count, oldest = session.execute(
                select(func.count(LoginFailure.id), func.min(LoginFailure.created_at)).where(
                    LoginFailure.email == email, LoginFailure.created_at > since
                )
            ).one()
        if count >= self._max:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=since.tzinfo)
            retry_after = max(1, int((oldest + self._window - self._clock()).total_seconds()) + 1)
            raise RateLimitedError(
                "Too many failed sign-in attempts for this email; try again later.",
                retry_after=retry_after,
                field="email",
            )

    def record_failure(self, email: str, remote_addr: str) -> None:
        with self._db.transaction() as session:
            session.add(LoginFailure(email=email, remote_addr=remote_addr[:64], created_at=self._clock()))
            # Keep the table small: failures older than the window no longer matter.
            session.execute(delete(LoginFailure).where(LoginFailure.created_at < self._clock() - self._window))

    def clear(self, email: str) -> None:
        with self._db.transaction() as session:
            session.execute(delete(LoginFailure).where(LoginFailure.email == email))
