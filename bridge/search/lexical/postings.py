"""Inverted lists that grow one document at a time and are read as numpy arrays.

Each term has two machine arrays (``array.array``): an int64 code per posting, ``slot << 3 |
field``, and its term frequency. Appending is amortised O(1), so adding a product never rebuilds
anything, and a query turns a list into numpy with one buffer copy. A document's postings are
appended together under the index's lock and slots only grow, so every list is sorted by slot
and a document's fields are adjacent: BM25F can sum a document's fields with ``reduceat``.

Removal is the index's business (a tombstone per slot); :meth:`Postings.compact` later drops the
dead postings and renumbers the live slots.
"""

from __future__ import annotations

from array import array
from collections import Counter

import numpy as np

FIELD_BITS = 3  # up to 8 fields
MAX_COUNT = 2**16 - 1  # counts are stored as uint16
_FIELD_MASK = (1 << FIELD_BITS) - 1


class Postings:
    """term -> (codes, counts), appended per document, read per query."""

    def __init__(self) -> None:
        self._lists: dict[str, tuple[array, array]] = {}

    def __contains__(self, term: str) -> bool:
        return term in self._lists

    def __len__(self) -> int:
        return len(self._lists)

    def size(self, term: str) -> int:
        """Postings of ``term``, live or not: a cheap popularity for ranking completions."""
        found = self._lists.get(term)
        return len(found[0]) if found else 0

    def add(self, slot: int, field: int, counts: Counter[str]) -> None:
        """Record one field of the document in ``slot``; call for each field before the next slot."""
        code = slot << FIELD_BITS | field
        for term, count in counts.items():
            found = self._lists.get(term)
            if found is None:
                found = self._lists[term] = (array("q"), array("H"))
            found[0].append(code)
            found[1].append(min(count, MAX_COUNT))

    def get(self, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(slots, fields, counts) of ``term`` as fresh arrays, or None for an unknown term."""
        found = self._lists.get(term)
        if found is None:
            return None
        codes = np.array(found[0], dtype=np.int64)
        return codes >> FIELD_BITS, codes & _FIELD_MASK, np.array(found[1], dtype=np.float32)

    def compact(self, new_slots: np.ndarray) -> None:
        """Drop postings whose slot maps to -1 and renumber the rest; forget emptied terms."""
        for term in list(self._lists):
            codes_list, counts_list = self._lists[term]
            codes = np.array(codes_list, dtype=np.int64)
            slots = new_slots[codes >> FIELD_BITS]
            keep = slots >= 0
            if not keep.any():
                del self._lists[term]
            elif not keep.all() or (slots != codes >> FIELD_BITS).any():
                codes = slots[keep] << FIELD_BITS | (codes[keep] & _FIELD_MASK)
                counts = np.array(counts_list, dtype=np.uint16)[keep]
                self._lists[term] = (array("q", codes.tobytes()), array("H", counts.tobytes()))
