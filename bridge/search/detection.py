"""Find the products in a photo (seed 003 "visual search"): regions, each classified.

Region proposals need no detector weights: the whole photo, the connected parts of
its foreground (products on a plain backdrop separate cleanly), and a coarse grid
for busy photos. Each region is embedded with the active visual model and classified
by its nearest indexed products: the category holding most of their similarity is the
region's class, and its share is the confidence. That works with OpenCLIP and with the
weight-free descriptor alike, and the classes are the merchant's own categories.

A class id is a stable integer derived from the category name (CRC-32), so clients can
pass it back to visual recommend; ``name`` carries the category itself.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from bridge.embedding.colors import foreground_mask, srgb_to_lab

WORK_SIZE = 128  # proposals are found on a small copy; boxes are scaled back
MIN_AREA = 0.02  # of the photo
MAX_DETECTIONS = 6
NMS_IOU = 0.5


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def area(self) -> int:
        return max(0, self.right - self.left) * max(0, self.bottom - self.top)

    def iou(self, other: Box) -> float:
        inner = Box(
            max(self.left, other.left),
            max(self.top, other.top),
            min(self.right, other.right),
            min(self.bottom, other.bottom),
        )
        union = self.area + other.area - inner.area
        return inner.area / union if union else 0.0


def class_id(category: str) -> int:
    return zlib.crc32(category.strip().lower().encode()) & 0x7FFFFFFF


def propose(image: Image.Image) -> list[Box]:
    """Whole photo, foreground components, then a 2x2 grid and a centre crop."""
    width, height = image.size
    boxes = [Box(0, 0, width, height)]
    boxes += _foreground_boxes(image)
    half_w, half_h = width // 2, height // 2
    boxes += [Box(x, y, x + half_w, y + half_h) for x in (0, half_w) for y in (0, half_h)]
    boxes.append(Box(width // 5, height // 5, width - width // 5, height - height // 5))
    unique = list(dict.fromkeys(b for b in boxes if b.area >= MIN_AREA * width * height))
    return unique


def _foreground_boxes(image: Image.Image) -> list[Box]:
    small = image.copy()
    small.thumbnail((WORK_SIZE, WORK_SIZE))
    mask = foreground_mask(srgb_to_lab(np.asarray(small.convert("RGB"))))
    labels, count = ndimage.label(ndimage.binary_opening(mask, iterations=1))
    scale_x, scale_y = image.width / small.width, image.height / small.height
    boxes = []
    for found in ndimage.find_objects(labels)[:count]:
        rows, cols = found
        boxes.append(
            Box(
                round(cols.start * scale_x),
                round(rows.start * scale_y),
                round(cols.stop * scale_x),
                round(rows.stop * scale_y),
            )
        )
    return boxes


def classify(neighbours: list[tuple[str, float]]) -> tuple[str | None, float]:
    """The category with most of the neighbours' similarity, and its share of it."""
    weights: dict[str, float] = defaultdict(float)
    for category, similarity in neighbours:
        weights[category] += max(similarity, 0.0)
    total = sum(weights.values())
    if not total:
        return None, 0.0
    category, weight = max(weights.items(), key=lambda item: item[1])
    return category, weight / total


def suppress(detections: list[dict]) -> list[dict]:
    """Non-maximum suppression per class; the whole-photo detection always stays first."""
    kept: list[dict] = []
    for detection in sorted(detections[1:], key=lambda d: d["confidence"], reverse=True):
        overlaps = (k for k in kept if k["class"] == detection["class"] and k["box"].iou(detection["box"]) > NMS_IOU)
        if next(overlaps, None) is None:
            kept.append(detection)
    return [detections[0], *kept][:MAX_DETECTIONS]
