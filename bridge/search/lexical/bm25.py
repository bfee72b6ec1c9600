"""BM25F: one saturation per document and term, over the boosted, length-normalised field counts.

Summing a separate BM25 per field would pay a word that appears in the name, the description and
the attributes three saturations, so a product repeating "case" everywhere would beat one named
"Case". BM25F (Robertson, Zaragoza & Taylor, 2004) first adds the fields' counts, each weighted
by its boost and normalised by the field's length against its average, and saturates the sum
once: a match in the name counts more than one in the description, but never more than k1 + 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

K1 = 1.2


@dataclass(frozen=True)
class FieldWeight:
    """How much a match in a field counts, and how much the field's length discounts it."""

    boost: float
    b: float  # 0: length ignored (brand, tags); 0.75: long texts are discounted


@dataclass(frozen=True)
class CorpusStats:
    """What BM25F needs to know about the live documents at query time."""

    documents: int
    lengths: np.ndarray  # (fields, slots) terms per field and slot
    average: np.ndarray  # (fields,) average length over live documents, 1 where a field is empty
    boost: np.ndarray  # (fields,)
    b: np.ndarray  # (fields,)
    k1: float = K1


def idf(documents: int, frequency: int) -> float:
    """Lucene's BM25 idf: never negative, even for a word in most documents."""
    return float(np.log1p((documents - frequency + 0.5) / (frequency + 0.5)))


def term_scores(
    slots: np.ndarray, fields: np.ndarray, counts: np.ndarray, stats: CorpusStats
) -> tuple[np.ndarray, np.ndarray]:
    """(document slots, scores) for one term's live postings, sorted by slot as stored."""
    if not len(slots):
        return slots, counts
    starts = np.flatnonzero(np.r_[True, slots[1:] != slots[:-1]])
    b = stats.b[fields]
    normalised = counts * stats.boost[fields] / (1.0 - b + b * stats.lengths[fields, slots] / stats.average[fields])
    weight = np.add.reduceat(normalised, starts)
    saturated = weight * (stats.k1 + 1.0) / (weight + stats.k1)
    return slots[starts], (idf(stats.documents, len(starts)) * saturated).astype(np.float32)
