"""The service container: every service built once, with its dependencies passed in.

``create_app`` builds one and keeps it in ``app.extensions["bridge"]``; the CLI,
the views and the scheduler all reach services through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bridge.accounts.credentials import PasswordHasher
from bridge.accounts.service import AccountService
from bridge.accounts.throttle import LoginThrottle
from bridge.accounts.tokens import AccessTokens
from bridge.db import Database, utcnow
from bridge.mail import Mailer


@dataclass
class Services:
    config: dict[str, Any]
    db: Database
    mailer: Mailer
    accounts: AccountService

    def readiness(self) -> dict[str, dict[str, Any]]:
        """Each dependency's state, for ``/readyz``."""
        checks: dict[str, dict[str, Any]] = {}
        try:
            self.db.ping()
            checks["database"] = {"ok": True, "backend": self.db.engine.dialect.name}
        except Exception as exc:  # any driver error means not ready; report it, don't raise
            checks["database"] = {"ok": False, "error": type(exc).__name__}
        return checks

    def close(self) -> None:
        self.db.dispose()


def build_services(config: dict[str, Any], clock: Callable[[], datetime] = utcnow) -> Services:
    db = Database(config["DATABASE_URL"])
    mailer = Mailer(config["SMTP_URL"], Path(config["DATA_DIR"]) / "outbox", config["MAIL_FROM"])
    tokens = AccessTokens(config["SECRET_KEY"], config["ACCESS_TOKEN_TTL"], clock=lambda: clock().timestamp())
    passwords = PasswordHasher(config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_COST"])
    throttle = LoginThrottle(db, config["LOGIN_MAX_FAILURES"], config["LOGIN_FAILURE_WINDOW"], clock)
    accounts = AccountService(
        db, mailer, tokens, passwords, throttle, config["PUBLIC_URL"], config["VERIFICATION_TTL"], clock
    )
    return Services(config=config, db=db, mailer=mailer, accounts=accounts)
