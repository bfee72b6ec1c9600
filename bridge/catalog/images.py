"""Where product image bytes come from.

Every remote URL goes through the outbound guard (SSRF checks, size and time caps).
Bridge's own demo photos are read from disk instead: they are served by this server,
whose loopback address the guard rightly refuses, and must work offline.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from bridge import outbound
from bridge.errors import InvalidInputError

DEMO_IMAGE_PATH = "/demo/images/"


class ImageLoader:
    def __init__(self, policy: outbound.OutboundPolicy, public_url: str, demo_dir: Path):
        self._policy = policy
        self._demo_prefix = public_url.rstrip("/") + DEMO_IMAGE_PATH
        self._demo_dir = demo_dir.resolve()

    def fetch(self, url: str, field: str) -> bytes:
        if url.startswith(self._demo_prefix):
            return self._demo_file(url[len(self._demo_prefix) :], field)
        return outbound.fetch(url, self._policy, field=field).body

    def decode(self, data: bytes, field: str) -> Image.Image:
        return outbound.load_image(data, field=field)

    def _demo_file(self, name: str, field: str) -> bytes:
        path = (self._demo_dir / name).resolve()
        if path.parent != self._demo_dir or not path.is_file():
            raise InvalidInputError(f"{field}: no demo image named {name!r}.", field=field)
        return path.read_bytes()
