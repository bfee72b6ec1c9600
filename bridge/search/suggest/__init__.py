"""Autocomplete for search-as-you-type: build a ``Suggester`` from entries, ask it for completions.

No Flask here: the HTTP view and the per-account cache live with the search service.
"""

from __future__ import annotations

from bridge.search.suggest.entries import KINDS, SuggestEntry, Suggestion
from bridge.search.suggest.suggester import Suggester

__all__ = ["KINDS", "SuggestEntry", "Suggester", "Suggestion"]
