"""A small, conservative English stemmer: plurals, -ed/-ing and a silent final e.

Porter's full algorithm also strips derivational endings (-ation, -ness, -able), which merges
product words that shoppers keep apart ("rechargeable" and "charger"). This stemmer removes
only inflections, so "batteries" meets "battery", "cases" meets "case" and "gaming" meets
"game". Both the catalogue and the query go through it, so an odd stem ("phon", "gam",
"batteri") only has to be the same on both sides, never a real word. As in Porter, a final y
becomes i, so that "movie"/"movies" and "battery"/"batteries" both meet.

Words shorter than four letters, words with digits ("ps4", "4k") and a few words that merely
look plural ("lens", "series") are left alone.
"""

from __future__ import annotations

MIN_LENGTH = 4  # "gps", "ios", "bus", "tvs": too short to tell a plural from a word
MIN_STEM = 3  # "red", "bed", "used" -> a stem of two letters conflates too much
_VOWELS = frozenset("aeiouy")
_IRREGULAR = {"mice": "mouse", "lenses": "lens", "children": "child", "feet": "foot", "teeth": "tooth"}
_NOT_PLURAL = frozenset({"lens", "news", "series", "species", "plus", "canvas", "always", "chassis", "christmas"})
_ES_PLURALS = ("sses", "xes", "ches", "shes", "zzes")  # "boxes", "switches": the e belongs to the plural
_NOT_S_PLURALS = ("ss", "us", "is")  # "wireless", "stylus", "analysis"
_KEEP_DOUBLE = frozenset("lsz")  # "installed" -> "install", but "shipped" -> "ship"


def stem(word: str) -> str:
    """The stem of one folded, lower-case word; digits and short words come back unchanged."""
    if len(word) < MIN_LENGTH or not word.isalpha() or word in _NOT_PLURAL:
        return word
    word = _IRREGULAR.get(word) or _singular(word)
    return _plain_ending(_without_verb_ending(word))


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > MIN_LENGTH:
        return word[:-3] + "i"
    if word.endswith(_ES_PLURALS):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_NOT_S_PLURALS):
        return word[:-1]
    return word


def _without_verb_ending(word: str) -> str:
    """Drop -ing/-ed when a real stem with a vowel is left ("string" and "speed" stay)."""
    if word.endswith("eed"):
        return word
    if word.endswith("ied") and len(word) > MIN_LENGTH:
        return word[:-3] + "i"
    for ending in ("ing", "ed"):
        base = word[: -len(ending)]
        if word.endswith(ending) and len(base) >= MIN_STEM and _VOWELS.intersection(base):
            return _undoubled(base)
    return word


def _undoubled(base: str) -> str:
    """Undo the doubled consonant of "shipped" -> "shipp" -> "ship"; "install" keeps its double l."""
    if base[-1] == base[-2] and base[-1] not in _VOWELS and base[-1] not in _KEEP_DOUBLE:
        return base[:-1]
    return base


def _plain_ending(word: str) -> str:
    """Drop a silent e, the only difference -ing leaves ("game", "gaming" -> "gam"); final y -> i."""
    if len(word) < MIN_LENGTH or word.endswith("ee"):
        return word
    if word.endswith("e"):
        return word[:-1]
    return word[:-1] + "i" if word.endswith("y") else word
