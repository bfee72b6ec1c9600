"""From product or query text to surface words, the unstemmed tokens the index is built from.

Folding lower-cases and strips accents ("Café" -> "cafe"). Anything that is not a letter or a
digit separates words, but a hyphenated chunk is also kept joined, so "USB-C", "usb c" and
"usbc" all find a "USB-C" cable and "Wi-Fi" meets "wifi". Model numbers mix letters and digits
("SM-G991B", "TN-2110"); their digit runs of three or more are indexed on their own as well, so
a shopper who types "2110" or "g991" still meets the model. Possessive 's is dropped before
splitting, or "men's" would leave a stray "s".

Stop words are never removed here: the index keeps them (their idf is low anyway) and only the
query drops them, unless the query is nothing but stop words.
"""

from __future__ import annotations

import re
import unicodedata

# Only the most common English function words: "with", "for" and "the" carry nothing in a product
# query, whereas "no", "off", "up" or "top" might.
STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "its", "of", "on"}
    | {"or", "than", "that", "the", "this", "to", "with"}
)
MIN_DIGIT_RUN = 3  # "991" in "g991b" is a model; "4" in "4k" or "7" in "dv7" is noise

_POSSESSIVE = re.compile(r"(?<=[^\W_])['\u2019]s\b")
_HYPHENS = "-\u2010\u2011\u2012\u2013"
_CHUNK = re.compile(rf"[^\W_]+(?:[{_HYPHENS}][^\W_]+)*")
_PART = re.compile(r"[^\W_]+")
_DIGIT_RUN = re.compile(rf"\d{{{MIN_DIGIT_RUN},}}")


def fold(text: str) -> str:
    """Lower-case with accents removed; "ß" becomes "ss" through case folding."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def surface_words(text: str) -> list[str]:
    """Every word the text can be found by, in reading order, joined forms after their parts."""
    words: list[str] = []
    for chunk in chunks(text):
        words.extend(chunk_words(chunk))
    return words


def chunks(text: str) -> list[str]:
    """Folded whitespace-level pieces of text: "usb-c", "cable", "sm-g991b"."""
    return _CHUNK.findall(_POSSESSIVE.sub("", fold(text)))


def parts(chunk: str) -> list[str]:
    """The alphanumeric runs of a chunk: "usb-c" -> ["usb", "c"]."""
    return _PART.findall(chunk)


def chunk_words(chunk: str) -> list[str]:
    """The parts of one chunk, its joined form when hyphenated and its long digit runs."""
    found = parts(chunk)
    words = list(found)
    if len(found) > 1:
        words.append("".join(found))
    for part in found:
        if not part.isdigit():
            words.extend(run for run in _DIGIT_RUN.findall(part) if run != part)
    return words


def query_words(text: str) -> list[str]:
    """The query's chunks without stop words, unless that would leave nothing ("to be")."""
    found = chunks(text)
    kept = [chunk for chunk in found if chunk not in STOP_WORDS]
    return kept or found
