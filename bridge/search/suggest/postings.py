"""Where each word occurs in the entries, and which entries contain a typed phrase.

All entries' words live in one flat array of word ids (``tokens``); an entry is a slice of it.
``by_word`` lists token positions grouped by word id, and because word ids are in sorted word
order, all occurrences of all words sharing a prefix are one contiguous slice: a one-letter prefix
over 100k products is a single numpy slice rather than thousands of Python lists to merge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NO_MATCH = 255  # edits value of a word that does not stand for the typed word at all


@dataclass(frozen=True)
class WordMatch:
    """The vocabulary words one typed word may stand for and what each costs in edits."""

    ranges: list[tuple[int, int, int]]  # (first word id, end word id, edits)
    edits: np.ndarray  # uint8 per word id; NO_MATCH where the word does not qualify

    @classmethod
    def of(cls, ranges: list[tuple[int, int, int]], vocabulary_size: int) -> WordMatch:
        edits = np.full(vocabulary_size, NO_MATCH, dtype=np.uint8)
        for lo, hi, cost in ranges:
            np.minimum(edits[lo:hi], cost, out=edits[lo:hi])
        return cls(ranges, edits)


@dataclass(frozen=True)
class Phrases:
    """Occurrences of a typed phrase: where each starts and its ranking key (lower is better)."""

    starts: np.ndarray  # token index of the entry word matching the first typed word
    keys: np.ndarray  # (2 * edits + starts after the entry's first word) * entries + entry


class Postings:
    """The words of every entry, in ranked order, with an inverted index from word to tokens.

    Entry ids are ranks, so a match's ranking key is one integer (see ``Phrases.keys``); the part
    that does not depend on the query is precomputed per token in ``token_key``.
    """

    def __init__(self, tokens: np.ndarray, lengths: np.ndarray, vocabulary_size: int) -> None:
        """``tokens``: word ids of all entries, one after the other; ``lengths``: words per entry."""
        self.entry_count = len(lengths)
        self.tokens = tokens.astype(np.int32)
        entry_of = np.repeat(np.arange(self.entry_count, dtype=np.int64), lengths)
        self.token_pos = (np.arange(len(tokens)) - np.repeat(np.cumsum(lengths) - lengths, lengths)).astype(np.int32)
        self.token_left = (np.repeat(lengths, lengths) - 1 - self.token_pos).astype(np.int32)  # words after it
        self.token_key = (self.token_pos > 0) * self.entry_count + entry_of
        self.by_word = np.argsort(self.tokens, kind="stable").astype(np.int32)
        counts = np.bincount(self.tokens, minlength=vocabulary_size)
        self.word_start = np.concatenate(([0], np.cumsum(counts)))

    def occurrences(self, match: WordMatch) -> int:
        """How many tokens a match would gather; the rarest typed word anchors the phrase search."""
        return int(sum(self.word_start[hi] - self.word_start[lo] for lo, hi, _ in match.ranges))

    def find(self, matches: list[WordMatch]) -> Phrases:
        """Every place where consecutive entry words match the typed words, in order."""
        anchor = min(range(len(matches)), key=lambda i: self.occurrences(matches[i]))
        tokens, edits = self._gather(matches[anchor])
        if len(matches) > 1:  # the phrase must fit in the entry around the anchor word
            inside = (self.token_pos[tokens] >= anchor) & (self.token_left[tokens] >= len(matches) - 1 - anchor)
            tokens, edits = tokens[inside], edits[inside]
        starts = tokens - anchor
        for offset, match in enumerate(matches):
            if offset != anchor:
                cost = match.edits[self.tokens[starts + offset]]
                keep = cost != NO_MATCH
                starts, edits = starts[keep], edits[keep] + cost[keep]
        return Phrases(starts, self.token_key[starts] + edits * (2 * self.entry_count))

    def _gather(self, match: WordMatch) -> tuple[np.ndarray, np.ndarray]:
        """Token indices of every word in the match's ranges, with the edits each costs."""
        pieces = [self.by_word[self.word_start[lo] : self.word_start[hi]] for lo, hi, _ in match.ranges]
        if not pieces:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        tokens = np.concatenate(pieces).astype(np.int64)
        costs = [cost for _, _, cost in match.ranges]
        return tokens, np.repeat(np.array(costs, dtype=np.int64), [len(piece) for piece in pieces])

    def decode(self, key: int) -> tuple[int, int]:
        """(entry, edits) of a ranking key."""
        return key % self.entry_count, key // (2 * self.entry_count)

    def nbytes(self) -> int:
        arrays = (self.tokens, self.token_pos, self.token_left, self.token_key, self.by_word, self.word_start)
        return sum(array.nbytes for array in arrays)
