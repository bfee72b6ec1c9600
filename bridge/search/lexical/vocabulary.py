"""The catalogue's surface words and their stems: the stemmer's cache, completions and typo fixes.

Completion and typo tolerance work on what a shopper actually types, which is a surface word
("gamin", "headphnes"), not a stem ("gam"): a typed prefix of "gaming" is not a prefix of its
stem. So the vocabulary maps every surface word seen in a product to its stem, and bucket by
the first two letters so that a completion scans one bucket, not the whole vocabulary.

Typo fixes generate the typed word's one-edit variants (delete, swap, replace, insert) and look
them up, which costs a few hundred dictionary probes and no extra index.
"""

from __future__ import annotations

import string
from collections import defaultdict
from collections.abc import Callable, Iterator

from bridge.search.lexical.stemmer import stem

HEAD = 2  # bucket key length, and the shortest prefix that is completed
_ALPHABET = string.ascii_lowercase + string.digits


class Vocabulary:
    """Surface word -> stem for every word indexed so far; it only shrinks on compaction."""

    def __init__(self) -> None:
        self._stems: dict[str, str] = {}
        self._by_head: defaultdict[str, set[str]] = defaultdict(set)

    def learn(self, surface: str) -> str:
        """The stem of a document word, remembered for later queries."""
        found = self._stems.get(surface)
        if found is None:
            found = self._stems[surface] = stem(surface)
            self._by_head[surface[:HEAD]].add(surface)
        return found

    def stem_of(self, surface: str) -> str:
        """The stem of a query word, without adding the word (typos must not become known)."""
        return self._stems.get(surface) or stem(surface)

    def __contains__(self, surface: str) -> bool:
        return surface in self._stems

    def completions(self, prefix: str) -> set[str]:
        """Stems of the known surface words that start with ``prefix`` (two letters at least)."""
        if len(prefix) < HEAD:
            return set()
        return {self._stems[word] for word in self._by_head.get(prefix[:HEAD], ()) if word.startswith(prefix)}

    def corrections(self, word: str) -> set[str]:
        """Stems of the known surface words exactly one edit away from ``word``."""
        return {self._stems[variant] for variant in _one_edit(word) if variant in self._stems}

    def retain(self, keep: Callable[[str], bool]) -> None:
        """Forget surface words whose stem no longer occurs, after the index dropped documents."""
        for word in [word for word, word_stem in self._stems.items() if not keep(word_stem)]:
            del self._stems[word]
            bucket = self._by_head[word[:HEAD]]
            bucket.discard(word)
            if not bucket:
                del self._by_head[word[:HEAD]]


def _one_edit(word: str) -> Iterator[str]:
    """Damerau-Levenshtein neighbours at distance one (may repeat; callers collect into a set)."""
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            yield head + tail[1:]
        if len(tail) > 1:
            yield head + tail[1] + tail[0] + tail[2:]
        for char in _ALPHABET:
            yield head + char + tail
            if tail:
                yield head + char + tail[1:]
