"""The distinct folded words of a suggestion index, looked up exactly or with typos.

Words are kept sorted, so every set of words sharing a prefix is one range of word ids and exact
prefixes cost two ``bisect`` calls. Typos go through a deletion-neighbourhood index (SymSpell)
over word *prefixes*, which a trie walk cannot match in pure Python: two strings within k edits
(Damerau-Levenshtein) always share a variant obtained by deleting at most k characters from each.
One table per typed length T (4-7 with k=1, and 8 with k=2) holds the deletion variants of every
distinct ``word[:T]``; that is enough for fuzzy *prefix* matching because when the typed fragment
``f`` is within k edits of some prefix of a word, ``f[:T]`` and ``word[:T]`` still share a variant
with at most k deletions each (a truncated alignment costs at most what it saved). Fragments longer
than 8 are looked up by their first 8 characters and verified in full, which bounds the index.

Variants are packed into integers (6 bits a character, up to 8 characters) and kept in sorted
numpy arrays, so the index for ~50k words is a few tens of MB and builds in well under a second.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import combinations

import numpy as np

from bridge.search.suggest.distance import batch_distances
from bridge.search.suggest.text import ONE_EDIT_FROM, TWO_EDITS_FROM, typo_budget

LONGEST = TWO_EDITS_FROM  # typed fragments are indexed up to this many characters
FUZZY_LONGEST = 32  # longer "words" (serial numbers, URLs) only ever match exactly
_BITS = 6
_AFTER_ALL = "\U0010ffff"  # sorts after any character a folded word contains

# Character -> 6-bit symbol; 0 is padding. Rare characters share symbols, and every candidate is
# verified on the real strings, so a shared symbol costs a little time and never a wrong match.
_ASCII = np.zeros(128, dtype=np.uint64)
_ASCII[ord("a") : ord("z") + 1] = np.arange(1, 27)
_ASCII[ord("0") : ord("9") + 1] = np.arange(27, 37)


def _pack(strings: list[str], width: int) -> np.ndarray:
    """Each string (at most ``width`` characters) as one integer, first character highest."""
    padded = "".join(string.ljust(width, "\0") for string in strings)
    points = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).reshape(len(strings), width)
    points = points.astype(np.uint64)
    symbols = np.where(points < 128, _ASCII[np.minimum(points, 127)], 37 + points % 27)
    symbols[points == 0] = 0
    shifts = np.arange(width - 1, -1, -1, dtype=np.uint64) * np.uint64(_BITS)
    return np.bitwise_or.reduce(symbols << shifts, axis=1)


def _symbol(char: str) -> int:
    """The 6-bit symbol ``_pack`` gives ``char``, for packing one typed fragment in pure Python."""
    point = ord(char)
    return int(_ASCII[point]) if point < 128 else 37 + point % 27


def _pack_one(string: str, width: int) -> int:
    code = 0
    for char in string:
        code = code << _BITS | _symbol(char)
    return code << (_BITS * (width - len(string)))


def _delete(codes: np.ndarray, position: int, width: int) -> np.ndarray:
    """The packed strings with the character at ``position`` removed (padding moves up)."""
    keep = ((1 << (_BITS * width)) - 1) ^ ((1 << (_BITS * (width - position))) - 1)
    after = (1 << (_BITS * (width - 1 - position))) - 1
    return (codes & np.uint64(keep)) | ((codes & np.uint64(after)) << np.uint64(_BITS))


def _variants(codes: np.ndarray, width: int, deletions: int) -> list[np.ndarray]:
    """The packed strings with up to ``deletions`` characters removed, one array per choice."""
    levels = [[(codes, 0)]]
    for _ in range(deletions):
        # Deleting at or after the previous position enumerates each set of positions once.
        levels.append([(_delete(c, p, width), p) for c, first in levels[-1] for p in range(first, width)])
    return [c for level in levels for c, _ in level]


def _fragment_variants(fragment: str, width: int, deletions: int) -> np.ndarray:
    """Packed deletion variants of one typed fragment; a few dozen, so plain Python is quickest."""
    variants = {
        "".join(char for i, char in enumerate(fragment) if i not in removed)
        for count in range(deletions + 1)
        for removed in combinations(range(len(fragment)), count)
    }
    return np.array(sorted(_pack_one(variant, width) for variant in variants), dtype=np.uint64)


class _PrefixTable:
    """Deletion variants of every distinct ``word[:width]``, for fragments of that length."""

    def __init__(self, words: list[str], width: int) -> None:
        self.width = width
        self.edits = typo_budget(width)
        heads = [word[:width] for word in words]
        firsts = [i for i, head in enumerate(heads) if not i or head != heads[i - 1]]
        self.first_word = np.array([*firsts, len(words)], dtype=np.int64)  # range of each head
        variants = _variants(_pack([heads[i] for i in firsts], width), width, self.edits)
        codes = np.concatenate(variants)
        owners = np.tile(np.arange(len(firsts), dtype=np.int32), len(variants))
        order = np.lexsort((owners, codes))
        codes, owners = codes[order], owners[order]
        distinct = np.ones(len(codes), dtype=bool)
        distinct[1:] = (codes[1:] != codes[:-1]) | (owners[1:] != owners[:-1])
        self.codes, self.owners = codes[distinct], owners[distinct]

    def candidates(self, fragment: str) -> tuple[np.ndarray, np.ndarray]:
        """Word-id ranges [lows, highs) whose head may be within the budget of ``fragment``."""
        queries = _fragment_variants(fragment[: self.width], self.width, self.edits)
        lows = np.searchsorted(self.codes, queries, side="left")
        highs = np.searchsorted(self.codes, queries, side="right")
        heads = np.unique(np.concatenate([self.owners[lo:hi] for lo, hi in zip(lows, highs, strict=True)]))
        return self.first_word[heads], self.first_word[heads + 1]

    def nbytes(self) -> int:
        return self.codes.nbytes + self.owners.nbytes + self.first_word.nbytes


class Vocabulary:
    """Sorted distinct words with exact and typo-tolerant lookups, answered as word-id ranges."""

    def __init__(self, words: list[str]) -> None:
        self.words = words  # sorted and distinct
        self.ids = {word: i for i, word in enumerate(words)}
        self.lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        padded = "".join(word[:FUZZY_LONGEST].ljust(FUZZY_LONGEST, "\0") for word in words)
        self._chars = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).reshape(len(words), FUZZY_LONGEST)
        self._tables = {width: _PrefixTable(words, width) for width in range(ONE_EDIT_FROM, LONGEST + 1)}

    def __len__(self) -> int:
        return len(self.words)

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Ids [lo, hi) of the words that start with ``prefix``."""
        return bisect_left(self.words, prefix), bisect_left(self.words, prefix + _AFTER_ALL)

    def fuzzy_prefixes(self, fragment: str) -> list[tuple[int, int, int]]:
        """(lo, hi, edits): words with a prefix 1 to budget edits away from ``fragment``."""
        limit = typo_budget(len(fragment))
        if not limit or len(fragment) + limit > FUZZY_LONGEST:
            return []
        ids = self._candidates(fragment)
        chars = self._chars[ids, : len(fragment) + limit]  # no longer prefix can be within the budget
        return _runs(ids, batch_distances(fragment, chars, self.lengths[ids], limit, prefix=True), limit)

    def fuzzy_words(self, typed: str) -> list[tuple[int, int, int]]:
        """(lo, hi, edits): whole words 1 to budget edits away from ``typed``."""
        limit = typo_budget(len(typed))
        if not limit or len(typed) + limit > FUZZY_LONGEST:
            return []
        ids = self._candidates(typed)
        ids = ids[np.abs(self.lengths[ids] - len(typed)) <= limit]
        chars = self._chars[ids, : len(typed) + limit]
        return _runs(ids, batch_distances(typed, chars, self.lengths[ids], limit, prefix=False), limit)

    def _candidates(self, fragment: str) -> np.ndarray:
        """Ids of the words whose head shares a deletion variant with the fragment's."""
        lows, highs = self._tables[min(len(fragment), LONGEST)].candidates(fragment)
        sizes = highs - lows
        offsets = np.repeat(lows - (np.cumsum(sizes) - sizes), sizes)
        return offsets + np.arange(int(sizes.sum()))

    def nbytes(self) -> int:
        """Memory held in numpy arrays (the word list and its dict are Python objects)."""
        return self.lengths.nbytes + self._chars.nbytes + sum(table.nbytes() for table in self._tables.values())


def _runs(ids: np.ndarray, edits: np.ndarray, limit: int) -> list[tuple[int, int, int]]:
    """Words 1 to ``limit`` edits away, as ranges of consecutive ids with equal edits.

    Zero edits are left out: those words are already in the exact match.
    """
    keep = (edits > 0) & (edits <= limit)
    ids, edits = ids[keep], edits[keep]
    if not len(ids):
        return []
    breaks = np.flatnonzero((np.diff(ids) != 1) | (np.diff(edits) != 0)) + 1
    firsts, lasts = np.concatenate(([0], breaks)), np.concatenate((breaks, [len(ids)])) - 1
    return list(zip(ids[firsts].tolist(), (ids[lasts] + 1).tolist(), edits[firsts].tolist(), strict=True))
