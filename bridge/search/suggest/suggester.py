"""Search-as-you-type completions over product names, brands, categories and past queries.

A typed text is split into folded words. Every word but the last must equal a word of the entry
(or be within its typo budget); the last is a prefix. The words must match consecutive entry
words, starting at any word: "solar ja" completes "Stellar Solar Jacket".

Ranking is lexicographic: fewer edits first (exact above corrected), then entries whose first word
matches, then entry rank (weight, then shorter text). Entry ids *are* ranks, so one int64 key per
match orders everything and numpy picks the best few from 100k candidates without a Python sort.

Typos cost far more than exact lookups, and every exact match outranks every corrected one, so
corrections are only looked for when the exact matches do not fill the list.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from bridge.errors import InvalidInputError
from bridge.search.suggest.distance import prefix_distance
from bridge.search.suggest.entries import KINDS, SuggestEntry, Suggestion, merge_entries, score
from bridge.search.suggest.postings import Phrases, Postings, WordMatch
from bridge.search.suggest.text import fold, fold_with_offsets, fold_words, typo_budget
from bridge.search.suggest.vocabulary import Vocabulary

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Typed:
    """The shopper's words; ``finished`` when the text ends in a space, so no word is a prefix."""

    words: list[str]
    finished: bool

    def is_prefix(self, index: int) -> bool:
        return index == len(self.words) - 1 and not self.finished

    def may_have_typos(self) -> bool:
        return any(typo_budget(len(word)) for word in self.words)


@dataclass(frozen=True)
class _Hit:
    entry: int
    start: int  # position in the entry of the word matching the first typed word
    edits: int


class Suggester:
    """An immutable completion index for one account's catalogue; rebuild it after changes."""

    def __init__(self, entries: Iterable[SuggestEntry]) -> None:
        began = time.perf_counter()
        merged = merge_entries(entries)
        self._entries = [entry for entry, _ in merged]
        all_words = [word for _, words in merged for word in words]
        self._vocabulary = Vocabulary(sorted(set(all_words)))
        tokens = np.fromiter(map(self._vocabulary.ids.__getitem__, all_words), dtype=np.int32, count=len(all_words))
        lengths = np.fromiter((len(words) for _, words in merged), dtype=np.int64, count=len(merged))
        self._postings = Postings(tokens, lengths, len(self._vocabulary))
        self._kinds = np.array([KINDS.index(entry.kind) for entry in self._entries], dtype=np.int8)
        self._groups = _groups([" ".join(words) for _, words in merged])
        logger.info(
            "Suggester built: %s entries, %s words, %.0f MB of arrays in %.2f s",
            len(self._entries),
            len(self._vocabulary),
            self.nbytes() / 2**20,
            time.perf_counter() - began,
        )

    def __len__(self) -> int:
        return len(self._entries)

    def suggest(self, prefix: str, limit: int = 8, kinds: set[str] | None = None) -> list[Suggestion]:
        """The best ``limit`` completions of ``prefix``, optionally only of some kinds."""
        typed = _Typed(fold_words(prefix), not fold(prefix)[-1:].isalnum())
        if not typed.words or limit <= 0:
            return []
        allowed = self._allowed(kinds)
        hits = self._best(self._find(typed, corrected=False), allowed, limit)
        if len(hits) < limit and typed.may_have_typos():
            hits = self._best(self._find(typed, corrected=True), allowed, limit)
        return [self._suggestion(hit, typed) for hit in hits]

    def nbytes(self) -> int:
        """Bytes held in numpy arrays, the bulk of the index (the word list and entries are Python objects)."""
        return self._postings.nbytes() + self._vocabulary.nbytes() + self._kinds.nbytes + self._groups.nbytes

    def _allowed(self, kinds: set[str] | None) -> np.ndarray | None:
        if kinds is None:
            return None
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise InvalidInputError(f"Unknown suggestion kinds: {', '.join(sorted(unknown))}", field="kinds")
        return np.array([kind in kinds for kind in KINDS])

    def _find(self, typed: _Typed, corrected: bool) -> Phrases:
        matches = [self._match(word, typed.is_prefix(i), corrected) for i, word in enumerate(typed.words)]
        return self._postings.find(matches)

    def _match(self, word: str, is_prefix: bool, corrected: bool) -> WordMatch:
        """The vocabulary words a typed word may stand for: exact first, then corrections."""
        vocabulary = self._vocabulary
        if is_prefix:
            ranges = [(*vocabulary.prefix_range(word), 0)]
            if corrected:
                ranges.extend(vocabulary.fuzzy_prefixes(word))
        else:
            word_id = vocabulary.ids.get(word)
            ranges = [] if word_id is None else [(word_id, word_id + 1, 0)]
            if corrected:
                ranges.extend(vocabulary.fuzzy_words(word))
        return WordMatch.of(ranges, len(vocabulary))

    def _best(self, phrases: Phrases, allowed: np.ndarray | None, limit: int) -> list[_Hit]:
        """The ``limit`` best-ranked matches, one per entry and one per folded text."""
        starts, keys = phrases.starts, phrases.keys
        if allowed is not None:
            keep = allowed[self._kinds[keys % len(self._entries)]]
            starts, keys = starts[keep], keys[keep]
        take = limit * 4
        while True:
            chosen = np.argsort(keys) if len(keys) <= take else _smallest(keys, take)
            hits = self._distinct(starts[chosen].tolist(), keys[chosen].tolist(), limit)
            if len(hits) == limit or take >= len(keys):
                return hits
            take *= 4  # many matches were the same entry or the same text: look further

    def _distinct(self, starts: list[int], keys: list[int], limit: int) -> list[_Hit]:
        """Walks matches best first, keeping the first of each text (ranked best across kinds)."""
        hits: list[_Hit] = []
        seen: set[int] = set()
        for start, key in zip(starts, keys, strict=True):
            entry, edits = self._postings.decode(key)
            group = int(self._groups[entry])
            if group not in seen:
                seen.add(group)
                hits.append(_Hit(entry, int(self._postings.token_pos[start]), edits))
                if len(hits) == limit:
                    break
        return hits

    def _suggestion(self, hit: _Hit, typed: _Typed) -> Suggestion:
        entry = self._entries[hit.entry]
        words = fold_with_offsets(entry.text)[hit.start :]
        highlight = []
        for index, (typed_word, word) in enumerate(zip(typed.words, words, strict=False)):
            length = len(word.text)
            if typed.is_prefix(index):
                length = _marked_length(typed_word, word.text)
            highlight.append(word.span(length))
        return Suggestion(
            text=entry.text,
            kind=entry.kind,
            score=score(hit.edits, hit.start > 0, entry.weight),
            highlight=highlight,
            product_ids=entry.product_ids,
            corrected=hit.edits > 0,
        )


def _marked_length(fragment: str, word: str) -> int:
    """How many characters of ``word`` the typed ``fragment`` stands for."""
    if word.startswith(fragment):
        return len(fragment)
    found = prefix_distance(fragment, word, typo_budget(len(fragment)))
    return found[1] if found is not None else len(word)


def _smallest(keys: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` smallest keys, in order, without sorting all of them."""
    part = np.argpartition(keys, count)[:count]
    return part[np.argsort(keys[part])]


def _groups(texts: list[str]) -> np.ndarray:
    """For each entry, the id of the best-ranked entry with the same folded text."""
    first: dict[str, int] = {}
    return np.array([first.setdefault(text, i) for i, text in enumerate(texts)], dtype=np.int32)
