"""Which models embed what: the visual channel (OpenCLIP, or the weight-free descriptor
when CLIP weights cannot be loaded) and the text channel (MiniLM).

The choice is made once per process, at first use, and logged; ``/readyz`` and every
image search response say which visual model is active.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from bridge.embedding.clip import ClipEmbedder, WeightsUnavailableError
from bridge.embedding.descriptor import VisualDescriptor
from bridge.embedding.text import TextEmbedder

log = logging.getLogger(__name__)
CLIP_SPACE, DESCRIPTOR_SPACE, TEXT_SPACE = "clip", "descriptor", "text"


@dataclass(frozen=True)
class VisualBackend:
    space: str
    model_id: str
    dim: int
    embed_images: Callable[[list[Image.Image]], np.ndarray]
    # CLIP can place text in the image space; the descriptor cannot.
    embed_query_texts: Callable[[list[str]], np.ndarray] | None
    fallback_reason: str | None = None


class EmbeddingService:
    def __init__(self, clip: ClipEmbedder, descriptor: VisualDescriptor, text: TextEmbedder):
        self._clip = clip
        self._descriptor = descriptor
        self._text = text
        self._lock = threading.Lock()
        self._visual: VisualBackend | None = None

    def visual(self) -> VisualBackend:
        with self._lock:
            if self._visual is None:
                self._visual = self._choose_visual()
            return self._visual

    def _choose_visual(self) -> VisualBackend:
        try:
            self._clip.load()
        except WeightsUnavailableError as exc:
            log.error("visual search falls back to the weight-free descriptor: %s", exc.message)
            return VisualBackend(
                DESCRIPTOR_SPACE,
                self._descriptor.model_id,
                self._descriptor.dim,
                self._descriptor.embed_images,
                None,
                exc.message,
            )
        # Random weights (bridge-tiny) carry no meaning across modalities; don't offer text-to-image.
        text_to_image = self._clip.embed_texts if self._clip.pretrained else None
        return VisualBackend(CLIP_SPACE, self._clip.model_id, self._clip.dim, self._clip.embed_images, text_to_image)

    @property
    def text_model_id(self) -> str:
        return self._text.model_id

    def text_dim(self) -> int:
        self._text.load()
        return self._text.dim

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        return self._text.embed(texts)

    def status(self) -> dict:
        visual = self.visual()
        status = {
            "ok": True,
            "visual_model": visual.model_id,
            "visual_space": visual.space,
            "text_model": self.text_model_id,
        }
        if visual.fallback_reason:
            status["fallback_reason"] = visual.fallback_reason
        return status
