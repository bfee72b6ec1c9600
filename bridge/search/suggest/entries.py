"""What goes into the suggestion index and what comes out of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bridge.errors import InvalidInputError
from bridge.search.suggest.text import fold_words

KINDS = ("product", "brand", "category", "query")


@dataclass(frozen=True)
class SuggestEntry:
    """A text a shopper may want to complete to, with its popularity.

    ``weight`` orders entries that match equally well: sales or views for a product, the number of
    products for a brand or category, how often a past query was run. ``product_ids`` are the
    products to show next to the completion (the product itself, or a brand's best sellers).
    """

    text: str
    kind: str
    weight: float
    product_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidInputError(f"Unknown suggestion kind {self.kind!r}", field="kind")


@dataclass(frozen=True)
class Suggestion:
    """One completion, ready to render: ``highlight`` spans index ``text`` for ``<mark>``."""

    text: str
    kind: str
    score: float  # in (0, 1], decreasing down the list
    highlight: list[tuple[int, int]]
    product_ids: tuple[str, ...]
    corrected: bool  # True when the shopper's words were matched with typos


def merge_entries(entries: Iterable[SuggestEntry]) -> list[tuple[SuggestEntry, list[str]]]:
    """One entry per folded text and kind, with its folded words, best first (weight, shorter text).

    Two products called "Classic Tee" are one completion that leads to both; the heavier entry's
    spelling is kept. Entries whose text has no letters or digits could never match and are dropped.
    """
    merged: dict[tuple[str, str], tuple[SuggestEntry, list[str]]] = {}
    for entry in entries:
        words = fold_words(entry.text)
        key = (" ".join(words), entry.kind)
        if not words:
            continue
        if key in merged:
            known = merged[key][0]
            best, other = (entry, known) if entry.weight > known.weight else (known, entry)
            ids = tuple(dict.fromkeys(best.product_ids + other.product_ids))
            entry = SuggestEntry(best.text, best.kind, best.weight, ids)
        merged[key] = (entry, words)
    return sorted(merged.values(), key=lambda pair: (-pair[0].weight, len(pair[0].text), pair[0].text, pair[0].kind))


def score(edits: int, mid_entry: bool, weight: float) -> float:
    """A number that orders like the ranking: each tier gets its own band, weight orders within it.

    Tier 0 is an exact match at the first word, tier 1 exact but later in the entry, tiers 2 and 3
    the same with one edit, and so on.
    """
    tier = 2 * edits + int(mid_entry)
    top, bottom = 1 / (tier + 1), 1 / (tier + 2)
    weight = max(weight, 0.0)
    return round(bottom + (top - bottom) * weight / (weight + 1), 6)
