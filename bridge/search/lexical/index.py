"""An in-memory BM25F index of product fields that accepts single adds and removes.

Storage: per-term append-only posting lists (:mod:`.postings`) plus, per document slot, its
field lengths and a live flag. Adding a product appends its postings to a fresh slot; removing
one only clears its live flag (a tombstone) and takes its lengths out of the averages; an
update is a remove and an add. Queries skip dead postings. Once dead slots make up a quarter of
all slots (and at least ``COMPACT_MIN_DEAD``), the lists are rewritten without them and live
slots renumbered, so memory and query time follow the live catalogue. Nothing is ever rebuilt
from source texts, so the index keeps no copy of them.

Every public method holds one lock: the index is shared between request threads and the sync
job that feeds it, and numpy releases the GIL.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping

import numpy as np

from bridge.search.lexical.analyzer import surface_words
from bridge.search.lexical.bm25 import K1, CorpusStats, FieldWeight, term_scores
from bridge.search.lexical.postings import FIELD_BITS, Postings
from bridge.search.lexical.query import Group, plan
from bridge.search.lexical.vocabulary import Vocabulary

# The product name says what the product is; brand and category are short and decisive; the
# description is long and mentions what a product fits or replaces ("case for iPhone 11").
FIELDS: dict[str, FieldWeight] = {
    "name": FieldWeight(boost=3.0, b=0.75),
    "brand": FieldWeight(boost=2.0, b=0.3),
    "category": FieldWeight(boost=2.0, b=0.3),
    "tags": FieldWeight(boost=1.5, b=0.3),
    "attributes": FieldWeight(boost=1.0, b=0.5),
    "description": FieldWeight(boost=0.7, b=0.75),
}
INITIAL_SLOTS = 1024
COMPACT_MIN_DEAD = 1024
COMPACT_SHARE = 0.25
FieldValue = str | list[str] | None


class LexicalIndex:
    """``add`` products by id with their text fields, then ``search`` them with BM25F."""

    def __init__(self, fields: Mapping[str, FieldWeight] | None = None, k1: float = K1):
        weights = dict(fields or FIELDS)
        if not 0 < len(weights) <= 1 << FIELD_BITS:
            raise ValueError(f"between 1 and {1 << FIELD_BITS} fields, not {len(weights)}")
        self._field_index = {name: index for index, name in enumerate(weights)}
        self._boost = np.array([weight.boost for weight in weights.values()], np.float32)
        self._b = np.array([weight.b for weight in weights.values()], np.float32)
        self._k1 = k1
        self._ids: list[str | None] = []
        self._slot_of: dict[str, int] = {}
        self._lengths = np.zeros((len(weights), INITIAL_SLOTS), np.float32)
        self._alive = np.zeros(INITIAL_SLOTS, bool)
        self._length_sums = np.zeros(len(weights), np.float64)
        self._postings = Postings()
        self._vocabulary = Vocabulary()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._slot_of

    def add(self, doc_id: str, fields: Mapping[str, FieldValue]) -> None:
        """Index a product, replacing any earlier version with the same id."""
        unknown = set(fields) - self._field_index.keys()
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}; expected some of {list(self._field_index)}")
        words = {self._field_index[name]: surface_words(_text(value)) for name, value in fields.items()}
        with self._lock:  # the analysis above is the slow part and needs no lock
            self._discard(doc_id)
            slot = self._claim_slot(doc_id)
            for field, field_words in words.items():
                self._add_field(slot, field, field_words)

    def remove(self, doc_id: str) -> bool:
        """Forget a product; False when it was not indexed."""
        with self._lock:
            removed = self._discard(doc_id)
            dead = len(self._ids) - len(self._slot_of)
            if removed and dead >= COMPACT_MIN_DEAD and dead >= COMPACT_SHARE * len(self._ids):
                self._compact()
            return removed

    def compact(self) -> None:
        """Drop removed products' postings now instead of waiting for the threshold."""
        with self._lock:
            self._compact()

    def search(
        self, query: str, k: int = 10, allowed: set[str] | None = None, *, prefix: bool = False
    ) -> list[tuple[str, float]]:
        """The ``k`` best (product id, raw BM25F score) pairs, best first.

        ``allowed`` restricts the results to those ids (a filter's matches). ``prefix`` treats
        the last word as unfinished, for search as you type. Scores are unbounded: map them with
        :func:`bridge.search.lexical.normalized` before fusing them with other channels.
        """
        if k <= 0 or (allowed is not None and not allowed):
            return []
        with self._lock:
            groups = plan(query, self._vocabulary, self._postings, prefix=prefix)
            if not groups or not self._slot_of:
                return []
            scores = self._scores(groups)
            return self._best(scores, self._candidates(scores, allowed), k)

    def _add_field(self, slot: int, field: int, words: list[str]) -> None:
        terms = [self._vocabulary.learn(word) for word in words]
        self._lengths[field, slot] = len(terms)
        self._length_sums[field] += len(terms)
        if terms:
            self._postings.add(slot, field, Counter(terms))

    def _claim_slot(self, doc_id: str) -> int:
        slot = len(self._ids)
        if slot == len(self._alive):  # double the per-slot arrays: amortised O(1) adds
            self._lengths = np.concatenate([self._lengths, np.zeros_like(self._lengths)], axis=1)
            self._alive = np.concatenate([self._alive, np.zeros_like(self._alive)])
        self._ids.append(doc_id)
        self._slot_of[doc_id] = slot
        self._alive[slot] = True
        return slot

    def _discard(self, doc_id: str) -> bool:
        slot = self._slot_of.pop(doc_id, None)
        if slot is None:
            return False
        self._alive[slot] = False
        self._ids[slot] = None
        self._length_sums -= self._lengths[:, slot]
        self._lengths[:, slot] = 0
        return True

    def _compact(self) -> None:
        live = np.flatnonzero(self._alive[: len(self._ids)])
        new_slots = np.full(len(self._alive), -1, np.int64)
        new_slots[live] = np.arange(len(live))
        self._postings.compact(new_slots)
        self._vocabulary.retain(self._postings.__contains__)
        self._ids = [self._ids[slot] for slot in live]
        self._slot_of = {doc_id: slot for slot, doc_id in enumerate(self._ids)}
        self._lengths = np.concatenate([self._lengths[:, live], np.zeros_like(self._lengths[:, live])], axis=1)
        self._alive = np.zeros(self._lengths.shape[1], bool)
        self._alive[: len(live)] = True

    def _stats(self) -> CorpusStats:
        documents = len(self._slot_of)
        average = self._length_sums / documents
        average = np.where(average > 0, average, 1.0).astype(np.float32)
        return CorpusStats(documents, self._lengths, average, self._boost, self._b, self._k1)

    def _scores(self, groups: list[Group]) -> np.ndarray:
        """Dense scores per slot: each group adds the best of its stems' weighted BM25F scores."""
        stats = self._stats()
        total = np.zeros(len(self._ids), np.float32)
        for group in groups:
            if len(group) == 1:  # the common case needs no per-group array
                [(term, weight)] = group.items()
                slots, scores = self._term_scores(term, stats)
                total[slots] += weight * scores
                continue
            best = np.zeros_like(total)
            for term, weight in group.items():
                slots, scores = self._term_scores(term, stats)
                best[slots] = np.maximum(best[slots], weight * scores)
            total += best
        return total

    def _term_scores(self, term: str, stats: CorpusStats) -> tuple[np.ndarray, np.ndarray]:
        found = self._postings.get(term)
        if found is None:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        slots, fields, counts = found
        live = self._alive[slots]
        return term_scores(slots[live], fields[live], counts[live], stats)

    def _candidates(self, scores: np.ndarray, allowed: set[str] | None) -> np.ndarray:
        if allowed is None:
            return np.flatnonzero(scores > 0)
        slots = np.fromiter((self._slot_of[doc_id] for doc_id in allowed if doc_id in self._slot_of), np.int64)
        return slots[scores[slots] > 0]

    def _best(self, scores: np.ndarray, candidates: np.ndarray, k: int) -> list[tuple[str, float]]:
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        order = np.lexsort((candidates, -scores[candidates]))
        return [(self._ids[slot], float(scores[slot])) for slot in candidates[order]]


def _text(value: FieldValue) -> str:
    """A list field (tags, attribute values) is indexed as its values side by side."""
    return " ".join(value) if isinstance(value, list) else value or ""
