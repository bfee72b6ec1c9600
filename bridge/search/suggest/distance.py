"""Damerau-Levenshtein distances (optimal string alignment: a swap of neighbours is one edit).

Two implementations of the same table: plain Python for one word (the highlight of a returned
suggestion), numpy for the hundreds of candidate words a typo lookup must verify, where the loop
over word characters becomes a running minimum (``np.minimum.accumulate``) and one typed
character costs a handful of array operations whatever the number of words.
"""

from __future__ import annotations

import numpy as np


def _distance_rows(typed: str, word: str, limit: int) -> list[int] | None:
    """Last row of the optimal-string-alignment table of ``typed`` against ``word``.

    Entry j is the Damerau-Levenshtein distance (a transposition is one edit) between ``typed``
    and ``word[:j]``. Returns None as soon as no cell can come back within ``limit``.
    """
    before: list[int] = []
    previous = list(range(len(word) + 1))
    last_typed = ""
    for i, typed_char in enumerate(typed, 1):
        row = [i]
        left, last_word = i, ""
        for j, word_char in enumerate(word, 1):
            if typed_char == word_char:
                left = previous[j - 1]
            else:
                left = 1 + min(previous[j], left, previous[j - 1])
                if typed_char == last_word and last_typed == word_char and before[j - 2] + 1 < left:
                    left = before[j - 2] + 1  # the two characters were swapped
            row.append(left)
            last_word = word_char
        if min(row) > limit:
            return None
        before, previous, last_typed = previous, row, typed_char
    return previous


def word_distance(typed: str, word: str, limit: int) -> int | None:
    """Edit distance between two whole words, or None when it exceeds ``limit``."""
    if abs(len(typed) - len(word)) > limit:
        return None
    row = _distance_rows(typed, word, limit)
    return row[-1] if row is not None and row[-1] <= limit else None


def prefix_distance(typed: str, word: str, limit: int) -> tuple[int, int] | None:
    """(edits, length) of the prefix of ``word`` closest to ``typed``, or None beyond ``limit``.

    The length tells the highlight how much of the word the shopper's fragment stands for.
    """
    row = _distance_rows(typed, word[: len(typed) + limit], limit)
    if row is None:
        return None
    edits = min(row)
    if edits > limit:
        return None
    # Of equally close prefixes, mark the one nearest the typed length: "jackt" marks "jacke".
    length = min((j for j, cell in enumerate(row) if cell == edits), key=lambda j: (abs(j - len(typed)), -j))
    return edits, length


def batch_distances(typed: str, chars: np.ndarray, lengths: np.ndarray, limit: int, prefix: bool) -> np.ndarray:
    """Distance from ``typed`` to each word (row of codepoints in ``chars``, zero-padded).

    With ``prefix`` it is the distance to the closest prefix of the word, and ``chars`` needs only
    ``len(typed) + limit`` columns; without, every word must fit in ``chars`` (callers drop words
    whose length alone puts them out of reach). Values above ``limit`` mean "too far", not how far.
    """
    count, width = chars.shape
    columns = np.arange(width + 1)
    typed_points = [ord(char) for char in typed]
    before, previous = None, np.broadcast_to(columns, (count, width + 1))
    for i, point in enumerate(typed_points, 1):
        best = np.minimum(previous[:, :-1] + (chars != point), previous[:, 1:] + 1)
        if before is not None:  # a swap of the last two typed characters
            swapped = (chars[:, :-1] == point) & (chars[:, 1:] == typed_points[i - 2])
            best[:, 1:] = np.where(swapped, np.minimum(best[:, 1:], before[:, :-2] + 1), best[:, 1:])
        # Insertions chain along the row: row[j] = min over j' <= j of (best[j'] + j - j').
        row = np.concatenate((np.full((count, 1), i), best), axis=1)
        row = np.minimum.accumulate(row - columns, axis=1) + columns
        before, previous = previous, row
    if not prefix:
        return previous[np.arange(count), lengths]
    beyond = columns > np.minimum(lengths, width)[:, None]  # cells past the end of the word
    return np.where(beyond, limit + 1, previous).min(axis=1)
