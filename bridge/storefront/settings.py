"""Seed 003's website settings: what the widgets show, where, and how prices look.

Stored as one JSON document per account and always answered whole: the stored values
laid over :data:`DEFAULTS`, so a widget never meets a missing key and a setting added in
a later release has a value on every account.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bridge.db import Database
from bridge.storefront.models import WebsiteSettings

SECTIONS = ("home", "product", "cart", "order")
# Recommendation algorithms a section may use; "user" and "item" (collaborative filtering,
# bought together) arrive with the recommendations engine.
ALGORITHMS = ("similarity", "pop", "history")
CURRENCY_FORMATS = (
    "amountwithcomma_currency",  # 1.234,50 €
    "amountwithdot_currency",  # 1,234.50 €
    "currency_amountwithcomma",  # € 1.234,50
    "currency_amountwithdot",  # € 1,234.50
)


def _section(show: bool, algo: str, title: str) -> dict[str, Any]:
    return {"show": show, "algo": algo, "title": title, "n": 12, "show_after": ""}


DEFAULTS: dict[str, Any] = {
    "home": _section(True, "pop", "Popular right now"),
    "product": {**_section(True, "similarity", "You may also like"), "query": ""},
    "cart": _section(True, "history", "Recently viewed"),
    "order": _section(False, "pop", "Recommended for you"),
    "css": "",
    "has_visualsearch": True,
    "has_semanticsearch": True,
    "currency": "EUR",
    "currency_format": "amountwithcomma_currency",
    "visualsearch_show_after": "",
    "visualsearch_image": "",
    "visualsearch_displaygenderfilter": True,
    "visualsearch_displaypricefilter": True,
    "visualsearch_displaycategoryfilter": True,
    "visualsearch_displaybrandfilter": True,
    "semanticsearch_bind": "",
}


class WebsiteSettingsService:
    def __init__(self, db: Database, clock: Callable[[], datetime]):
        self._db = db
        self._clock = clock

    def get(self, account_id: str) -> dict[str, Any]:
        with self._db.transaction() as session:
            row = session.get(WebsiteSettings, account_id)
            return _merged(DEFAULTS, row.settings if row else {})

    def replace(self, account_id: str, settings: dict[str, Any]) -> dict[str, Any]:
        """Every setting not given goes back to its default."""
        return self._store(account_id, _merged(DEFAULTS, settings))

    def patch(self, account_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Only the given settings change; a section's fields can be changed one at a time."""
        return self._store(account_id, _merged(self.get(account_id), changes))

    def _store(self, account_id: str, settings: dict[str, Any]) -> dict[str, Any]:
        with self._db.transaction() as session:
            row = session.get(WebsiteSettings, account_id)
            if row is None:
                row = WebsiteSettings(account_id=account_id)
                session.add(row)
            row.settings = settings
            row.updated_at = self._clock()
        return settings


def _merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if key in SECTIONS and isinstance(value, dict):
            merged[key] = {**merged.get(key, {}), **value}
        elif key in DEFAULTS:
            merged[key] = value
    return merged
