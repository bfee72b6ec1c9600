"""The scoring channels a search can combine, each giving products a calibrated score.

- ``visual``: the query photo(s) against product photos (OpenCLIP or the descriptor);
  a product scores by its best photo.
- ``text``: MiniLM query against MiniLM product text.
- ``clip_text``: CLIP text against product photos, only when real CLIP weights are loaded.
- ``lexical``: BM25F over the product's name, brand, category, tags, attributes and
  description (:mod:`bridge.search.lexical`), min-max scaled between the query's best score
  and its 100th best (0 below that), the scaling that fused best on the chorus judgments.
- ``color``: colour words in the query ("in blue") against the product's photo colours
  (share of the photo in a perceptually close colour) and its declared colour.

Each channel returns ``{product_pk: (score, cosine)}`` for its own nearest candidates;
:meth:`Channels.complete` then scores every candidate on every requested channel exactly,
so a fused ranking never mixes "scored" with "not looked at".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bridge.catalog.indexing import image_vector_id
from bridge.catalog.models import Product
from bridge.catalog.vectorviews import palette_names
from bridge.embedding.colors import similar_palette_names
from bridge.embedding.service import TEXT_SPACE, EmbeddingService
from bridge.errors import InvalidInputError
from bridge.search.lexicon import LexicalIndexes
from bridge.search.scoring import similarity_score
from bridge.vectors.store import VectorStore

VISUAL, TEXT, CLIP_TEXT, COLOR, LEXICAL = "visual", "text", "clip_text", "color", "lexical"
LEXICAL_DEPTH = 100
IMAGES_PER_PRODUCT = 4  # over-fetch so that several photos of one product don't crowd out others
Scores = dict[str, tuple[float, float]]


@dataclass
class ChannelQuery:
    """What a search brings to each channel: query vectors per channel."""

    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # channel -> (n, dim) query matrix
    colors: list[set[str]] = field(default_factory=list)  # per colour word: acceptable palette names
    text: str | None = None
    lexical_range: tuple[float, float] = (0.0, 0.0)  # the query's 100th and best raw BM25 scores


class Channels:
    def __init__(self, vectors: VectorStore, embeddings: EmbeddingService, lexicon: LexicalIndexes):
        self._vectors = vectors
        self._embeddings = embeddings
        self._lexicon = lexicon

    def query_for(self, images: list | None = None, text: str | None = None) -> ChannelQuery:
        """Embed the query once per channel that can use it."""
        query = ChannelQuery()
        visual = self._embeddings.visual()
        if images:
            query.vectors[VISUAL] = visual.embed_images(images)
        if text:
            query.text = text
            query.vectors[TEXT] = self._embeddings.embed_texts([text])
            if visual.embed_query_texts is not None:
                query.vectors[CLIP_TEXT] = visual.embed_query_texts([text])
            query.colors = colour_words(text)
        return query

    def stored_query(self, account_id: str, product: Product) -> ChannelQuery:
        """A query made of a product's own stored vectors: its main photo and its text."""
        query = ChannelQuery()
        ids = {
            VISUAL: [image_vector_id(product.id, image["sha256"]) for image in product.images[:1]],
            TEXT: [product.id],
        }
        for channel, vector_ids in ids.items():
            collection, _ = self._collection(account_id, channel)
            stored = self._vectors.get_vectors(collection, vector_ids) if vector_ids else {}
            if stored:
                query.vectors[channel] = np.stack(list(stored.values()))
        return query

    def nearest(self, account_id: str, channel: str, matrix: np.ndarray, k: int, where: dict | None) -> Scores:
        """The channel's own top candidates; several query vectors keep each product's best."""
        collection, space = self._collection(account_id, channel)
        per_product = IMAGES_PER_PRODUCT if channel != TEXT else 1
        scores: Scores = {}
        for vector in matrix:
            for hit in self._vectors.search(collection, vector, k * per_product, where):
                pk = hit.id.split(":", 1)[0]
                scores[pk] = max((similarity_score(space, hit.similarity), hit.similarity), scores.get(pk, (0.0, -1.0)))
        return scores

    def lexical_nearest(self, account_id: str, query: ChannelQuery, k: int) -> Scores:
        """The best BM25 matches; remembers the best raw score so exact scores share its scale."""
        hits = self._lexicon.index_for(account_id).search(query.text or "", max(k, LEXICAL_DEPTH))
        if hits:
            query.lexical_range = (hits[-1][1] if len(hits) >= LEXICAL_DEPTH else 0.0, hits[0][1])
        return {pk: _lexical(score, query.lexical_range) for pk, score in hits[:k]}

    def exact(self, account_id: str, channel: str, query: ChannelQuery, products: list[Product]) -> Scores:
        """Score the given products on a channel from their stored vectors (or colours, or BM25)."""
        if channel == COLOR:
            return {p.id: color_score(p, query.colors) for p in products}
        if channel == LEXICAL:
            allowed = {p.id for p in products}
            hits = self._lexicon.index_for(account_id).search(query.text or "", len(allowed), allowed)
            return {pk: _lexical(score, query.lexical_range) for pk, score in hits}
        matrix = query.vectors[channel]
        collection, space = self._collection(account_id, channel)
        ids = {p.id: [image_vector_id(p.id, i["sha256"]) for i in p.images] for p in products}
        if channel == TEXT:
            ids = {p.id: [p.id] for p in products}
        stored = self._vectors.get_vectors(collection, [i for group in ids.values() for i in group])
        scores: Scores = {}
        for pk, group in ids.items():
            rows = [stored[i] for i in group if i in stored]
            if rows:
                cosine = float((np.stack(rows) @ matrix.T).max())
                scores[pk] = (similarity_score(space, cosine), cosine)
        return scores

    def _collection(self, account_id: str, channel: str):
        if channel == TEXT:
            embeddings = self._embeddings
            return self._vectors.collection(
                account_id, TEXT_SPACE, embeddings.text_model_id, embeddings.text_dim()
            ), TEXT
        visual = self._embeddings.visual()
        collection = self._vectors.collection(account_id, visual.space, visual.model_id, visual.dim)
        return collection, (visual.space if channel == VISUAL else CLIP_TEXT)


def _lexical(raw: float, score_range: tuple[float, float]) -> tuple[float, float]:
    floor, best = score_range
    score = min(1.0, max(0.0, (raw - floor) / (best - floor))) if best > floor else float(raw >= best > 0)
    return round(score, 4), score


def colour_words(text: str) -> list[set[str]]:
    """Palette colours named in the query, each with the names a shopper would accept for it."""
    found = []
    for word in {w.strip(".,;:!?'\"()").lower() for w in text.split()}:
        if word and not word.startswith("#") and not word.isdigit():
            try:
                found.append(set(similar_palette_names(word)))
            except InvalidInputError:
                continue
    return found


def color_score(product: Product, wanted: list[set[str]]) -> tuple[float, float]:
    """Share of the photo in an acceptable colour, or 1 when the declared colour is one; the
    weakest of several requested colours counts ("blue and white" needs both)."""
    declared = set(palette_names(product.attributes, []))
    scores = []
    for names in wanted:
        share = sum(float(c.get("share", 0.0)) for c in product.colors if c.get("name") in names)
        scores.append(1.0 if declared & names else min(1.0, share))
    score = float(min(scores)) if scores else 0.0
    return score, score
