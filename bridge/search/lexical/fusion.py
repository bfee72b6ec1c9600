"""Raw BM25 scores mapped to [0, 1] so that they can be fused with the cosine-based channels.

BM25 is unbounded and its scale moves with the query (more words, rarer words: larger scores),
and the spread that matters is small: the 1st and the 100th lexical match of "laptop" score 8.7
and 7.2. Dividing by the best score would squeeze every match into [0.8, 1] and let any other
channel reorder them at will. Min-max over the query's best ``DEPTH`` scores instead spreads
the candidates that can reach a first page over [0, 1]: the best match is 1 and the
``DEPTH``-th is 0, like a product that does not match at all.

On the Chorus judgments (bench/relevance.py) this beat division by the best score and reciprocal
rank fusion, and the same map applied to MiniLM cosines did best on the semantic side:
``0.7 * normalized(bm25) + 0.3 * normalized(cosine)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DEPTH = 100


def normalized(scores: Sequence[float] | np.ndarray, depth: int = DEPTH) -> np.ndarray:
    """Min-max over the best ``depth`` scores, clipped at 0: best -> 1, ``depth``-th best -> 0.

    Pass the query's top results (``LexicalIndex.search(query, k=DEPTH)``) or all scores. With
    fewer than ``depth`` scores the floor is 0, the score of a product that does not match; for
    a channel without a natural zero, such as cosines, pass at least ``depth`` scores. When the
    best and the floor tie, the tied products get 1.
    """
    values = np.asarray(scores, dtype=np.float32)
    if values.size == 0:
        return values
    best = float(values.max())
    floor = float(np.partition(values, values.size - depth)[values.size - depth]) if values.size >= depth else 0.0
    if best <= floor:
        return (values >= best).astype(np.float32) if best > 0 else np.zeros_like(values)
    return np.clip((values - floor) / (best - floor), 0.0, None)
