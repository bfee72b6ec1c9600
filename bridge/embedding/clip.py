"""OpenCLIP image and text embeddings: loaded lazily once per process, batched, normalized.

``BRIDGE_CLIP_MODEL`` names an open_clip architecture (``ViT-B-32`` by default, or
``bridge-tiny``, a small config shipped here with seeded random weights for tests).
``BRIDGE_CLIP_PRETRAINED`` is an open_clip tag or a local weights file (or ``random``:
seeded random weights, which cost the same to run, for benchmarks). A missing
file, an unknown tag or weights that are neither cached nor downloadable fail within
seconds with :class:`WeightsUnavailableError`, never a long hang.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from bridge.errors import ServiceUnavailableError

log = logging.getLogger(__name__)
CONFIG_DIR = Path(__file__).parent / "model_configs"
TINY = "bridge-tiny"
RANDOM = "random"
BATCH_SIZE = 32
HUB_HOST = ("huggingface.co", 443)


class WeightsUnavailableError(ServiceUnavailableError):
    code = "model_unavailable"


class ClipEmbedder:
    def __init__(self, model_name: str, pretrained: str | None):
        self.model_name = model_name
        self.pretrained = None if model_name == TINY or pretrained in (None, "", RANDOM) else pretrained
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any, Any] | None = None
        self.dim: int | None = None

    @property
    def model_id(self) -> str:
        weights = Path(self.pretrained).name if self.pretrained and _is_path(self.pretrained) else self.pretrained
        return f"open_clip/{self.model_name}/{weights or 'seed0'}"

    def load(self) -> None:
        """Load once (thread-safe); later calls return at once."""
        with self._lock:
            if self._loaded is None:
                self._loaded = self._create()

    def embed_images(self, images: list[Image.Image]) -> np.ndarray:
        import torch

        self.load()
        model, preprocess, _ = self._loaded
        rows = []
        with torch.inference_mode():
            for start in range(0, len(images), BATCH_SIZE):
                batch = torch.stack([preprocess(image) for image in images[start : start + BATCH_SIZE]])
                rows.append(model.encode_image(batch).float().numpy())
        return _normalize(np.concatenate(rows) if rows else np.zeros((0, self.dim or 0), np.float32))

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        import torch

        self.load()
        model, _, tokenizer = self._loaded
        rows = []
        with torch.inference_mode():
            for start in range(0, len(texts), BATCH_SIZE):
                rows.append(model.encode_text(tokenizer(texts[start : start + BATCH_SIZE])).float().numpy())
        return _normalize(np.concatenate(rows) if rows else np.zeros((0, self.dim or 0), np.float32))

    def _create(self) -> tuple[Any, Any, Any]:
        self._check_weights()
        import open_clip
        import torch

        for config in CONFIG_DIR.glob("*.json"):
            open_clip.add_model_config(config)
        if self.pretrained is None:
            torch.manual_seed(0)  # bridge-tiny: the same random weights in every process
        try:
            model, _, preprocess = open_clip.create_model_and_transforms(self.model_name, pretrained=self.pretrained)
        except Exception as exc:  # open_clip raises RuntimeError, OSError, HF errors...
            raise WeightsUnavailableError(
                f"Could not load OpenCLIP {self.model_name} weights {self.pretrained!r}: {exc}. "
                "Set BRIDGE_CLIP_PRETRAINED to a local weights file."
            ) from exc
        model.eval()
        self.dim = int(model.text_projection.shape[1]) if hasattr(model, "text_projection") else None
        self.dim = self.dim or int(model.encode_text(open_clip.get_tokenizer(self.model_name)(["x"])).shape[1])
        log.info("OpenCLIP loaded model=%s pretrained=%s dim=%s", self.model_name, self.pretrained, self.dim)
        return model, preprocess, open_clip.get_tokenizer(self.model_name)

    def _check_weights(self) -> None:
        """Refuse quickly what would otherwise fail slowly inside huggingface_hub."""
        if self.pretrained is None:
            return
        if _is_path(self.pretrained):
            if not Path(self.pretrained).is_file():
                raise WeightsUnavailableError(
                    f"BRIDGE_CLIP_PRETRAINED={self.pretrained} is not a file. Point it at OpenCLIP weights on disk."
                )
            return
        import open_clip

        if self.pretrained not in open_clip.list_pretrained_tags_by_model(self.model_name):
            raise WeightsUnavailableError(
                f"BRIDGE_CLIP_PRETRAINED={self.pretrained!r} is not a known tag for {self.model_name}; known: "
                f"{', '.join(open_clip.list_pretrained_tags_by_model(self.model_name)) or 'none'}."
            )
        if _hub_cached(open_clip.get_pretrained_cfg(self.model_name, self.pretrained)):
            return
        if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"} or not _hub_reachable():
            raise WeightsUnavailableError(
                f"OpenCLIP weights {self.model_name}/{self.pretrained} are not cached and cannot be downloaded "
                "(offline). Set BRIDGE_CLIP_PRETRAINED to a local weights file, or download them once with "
                "network access."
            )


def _hub_cached(cfg: dict) -> bool:
    from huggingface_hub import try_to_load_from_cache

    repo = (cfg.get("hf_hub") or "").strip("/")
    if not repo:
        return False
    names = ("open_clip_model.safetensors", "open_clip_pytorch_model.bin", "open_clip_pytorch_model.safetensors")
    return any(isinstance(try_to_load_from_cache(repo, name), str) for name in names)


def _hub_reachable(timeout: float = 3.0) -> bool:
    try:
        socket.create_connection(HUB_HOST, timeout=timeout).close()
        return True
    except OSError:
        return False


def _is_path(value: str) -> bool:
    return os.sep in value or value.endswith((".pt", ".bin", ".safetensors", ".pth"))


def _normalize(matrix: np.ndarray) -> np.ndarray:
    matrix = matrix.astype(np.float32, copy=False)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)
