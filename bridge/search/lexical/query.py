"""From a shopper's query to groups of weighted stems, the unit BM25 scores and sums.

Each query word becomes one group; a product scores in a group by the best of the group's
stems, so alternatives (completions, typo fixes) never add up the way separate words do.

- Exact words weigh 1.
- A word of five or more letters that no product contains is replaced by the catalogue words one
  edit away ("headphnes" -> "headphones"), weighted ``TYPO_WEIGHT``.
- With ``prefix=True`` (search as you type) the last word, which may be unfinished, also matches
  the catalogue words it begins; the most frequent ``MAX_COMPLETIONS`` are kept, and a typo fix
  is tried only when nothing starts like it. Completions weigh ``PREFIX_WEIGHT``, or only
  ``WORD_PREFIX_WEIGHT`` when the typed word is already a catalogue word: "desk" is more likely
  finished than the start of "desktop". On Chorus queries cut to 70% of their letters this
  doubles nDCG@10 (0.19 -> 0.39) and costs full queries 0.008, so it stays off by default.

Joining adjacent query words ("head set" -> "headset") was tried and left out: on the Chorus
judgments it cost 0.01 nDCG@10 ("dvd player" drifted to "dvdplayer" products), and the MiniLM
channel already bridges such spelling variants in the hybrid.
"""

from __future__ import annotations

from bridge.search.lexical.analyzer import chunk_words, parts, query_words
from bridge.search.lexical.postings import Postings
from bridge.search.lexical.vocabulary import Vocabulary

Group = dict[str, float]  # stem -> weight
TYPO_MIN_LENGTH = 5  # shorter words have too many neighbours one edit away
TYPO_WEIGHT = 0.8
PREFIX_WEIGHT = 0.7
WORD_PREFIX_WEIGHT = 0.3
MAX_COMPLETIONS = 10


def plan(query: str, vocabulary: Vocabulary, postings: Postings, *, prefix: bool = False) -> list[Group]:
    """The groups to score for ``query``; empty when it has no words."""
    chunks = query_words(query)
    typed = parts(chunks[-1])[-1] if prefix and chunks else None
    groups = [
        _completion_group(word, vocabulary, postings) if word == typed else _word_group(word, vocabulary, postings)
        for chunk in chunks
        for word in chunk_words(chunk)
    ]
    return _distinct(groups)


def _word_group(word: str, vocabulary: Vocabulary, postings: Postings) -> Group:
    term = vocabulary.stem_of(word)
    if term in postings or len(word) < TYPO_MIN_LENGTH:
        return {term: 1.0}
    return dict.fromkeys(vocabulary.corrections(word), TYPO_WEIGHT) or {term: 1.0}


def _completion_group(word: str, vocabulary: Vocabulary, postings: Postings) -> Group:
    completions = sorted(vocabulary.completions(word), key=postings.size, reverse=True)[:MAX_COMPLETIONS]
    if not completions:  # nothing starts like this: a finished word with a typo, perhaps
        return _word_group(word, vocabulary, postings)
    group = dict.fromkeys(completions, WORD_PREFIX_WEIGHT if word in vocabulary else PREFIX_WEIGHT)
    group[vocabulary.stem_of(word)] = 1.0
    return group


def _distinct(groups: list[Group]) -> list[Group]:
    """Drop repeated groups: "usb-c usb-c" is not twice as relevant."""
    seen: list[Group] = []
    for group in groups:
        if group not in seen:
            seen.append(group)
    return seen
