"""Lexical product search: an analyzer, a BM25F index and the map from its scores to [0, 1].

``LexicalIndex`` is the public entry point; see :mod:`.index` for how it stores postings and
handles removals, :mod:`.analyzer` and :mod:`.stemmer` for what counts as the same word, and
:mod:`.query` for completions, typo fixes and joined words.
"""

from __future__ import annotations

from bridge.search.lexical.analyzer import fold, surface_words
from bridge.search.lexical.bm25 import FieldWeight
from bridge.search.lexical.fusion import normalized
from bridge.search.lexical.index import FIELDS, LexicalIndex
from bridge.search.lexical.stemmer import stem

__all__ = ["FIELDS", "FieldWeight", "LexicalIndex", "fold", "normalized", "stem", "surface_words"]
