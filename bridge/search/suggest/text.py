"""Text folding shared by the suggestion index and its queries, and the typo budget.

Typed text and entry text must fold to exactly the same words, or a highlight would point at the
wrong characters. Two paths produce them: ``fold_words`` is fast and used to index 100k entries,
``fold_with_offsets`` is slow but remembers where each folded character came from and is used
only for the few suggestions a request returns. Both apply the same per-character steps (NFKD,
case fold, NFKD again, drop combining marks and apostrophes, anything else not alphanumeric
becomes a separator), so they agree by construction. Apostrophes vanish rather than separate
because shoppers type "mens" and "levis" for "Men's" and "Levi's".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+")  # \w is "str.isalnum()" plus the underscore, which separates here
_APOSTROPHES = "'\u2019\u02bc"
_DROP_APOSTROPHES = str.maketrans("", "", _APOSTROPHES)

# The typo budget grows with what the shopper has typed: 1-3 characters are too short to guess
# from, 4-7 allow one edit and 8 or more allow two.
ONE_EDIT_FROM = 4
TWO_EDITS_FROM = 8


def typo_budget(length: int) -> int:
    """How many edits a typed word of ``length`` characters may be away from a catalogue word."""
    return 2 if length >= TWO_EDITS_FROM else 1 if length >= ONE_EDIT_FROM else 0


def _fold_char(char: str) -> str:
    """One character folded: accents gone, case folded; may be empty ("\u0301", "'") or longer ("ß")."""
    if char.isascii():
        return "" if char == "'" else char.lower()
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    return "".join(part for part in folded if not unicodedata.combining(part)).translate(_DROP_APOSTROPHES)


def fold(text: str) -> str:
    """The whole text folded like ``_fold_char`` would fold each character, but faster."""
    if text.isascii():
        return text.lower().translate(_DROP_APOSTROPHES) if "'" in text else text.lower()
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(part for part in folded if not unicodedata.combining(part)).translate(_DROP_APOSTROPHES)


def fold_words(text: str) -> list[str]:
    """The folded words of ``text``: what the index stores and what a query looks up."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class FoldedWord:
    """A folded word and the [start, end) slice of the original text each folded character covers."""

    text: str
    starts: tuple[int, ...]  # original index where folded character i begins
    ends: tuple[int, ...]  # original index just past folded character i (combining marks included)

    def span(self, length: int) -> tuple[int, int]:
        """Original-text span of the first ``length`` folded characters."""
        return self.starts[0], self.ends[max(1, min(length, len(self.text))) - 1]


def fold_with_offsets(text: str) -> list[FoldedWord]:
    """Words like ``fold_words`` returns, each knowing which original characters it covers."""
    if text.isascii() and "'" not in text:
        return _ascii_words(text)
    words: list[FoldedWord] = []
    chars: list[tuple[str, int, int]] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        if not folded and chars and unicodedata.combining(char):
            letter, start, _ = chars[-1]  # an accent belongs inside the letter's highlight
            chars[-1] = (letter, start, index + 1)
        for part in folded:
            if part.isalnum():
                chars.append((part, index, index + 1))
            elif chars:
                words.append(_word(chars))
                chars = []
    if chars:
        words.append(_word(chars))
    return words


def _ascii_words(text: str) -> list[FoldedWord]:
    """The common case, quicker: one character folds to one, so spans are the regex matches."""
    return [
        FoldedWord(
            match[0].lower(), tuple(range(match.start(), match.end())), tuple(range(match.start() + 1, match.end() + 1))
        )
        for match in _WORD.finditer(text)
    ]


def _word(chars: list[tuple[str, int, int]]) -> FoldedWord:
    return FoldedWord(
        "".join(char for char, _, _ in chars),
        tuple(start for _, start, _ in chars),
        tuple(end for _, _, end in chars),
    )
