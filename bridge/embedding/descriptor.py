"""A visual descriptor that needs no model weights, for when CLIP cannot be loaded.

Catalogue photos of one product share the product's exact shades, the model's other clothes and the
studio lighting, even from another angle or as a close-up. So most of the vector is a fine colour
distribution of the product (backdrop removed) in CIE LCh; a coarse top/middle/bottom colour layout,
gradient-orientation and local-binary-pattern texture, and silhouette statistics break ties between
products of the same colour. Each block is L2-normalised and weighted, so the whole vector has unit
length and cosine similarity is a dot product.
"""

from __future__ import annotations

import logging
from itertools import pairwise

import numpy as np
from PIL import Image

from bridge.embedding.colors import flatten_to_rgb, foreground_mask, srgb_to_lab

log = logging.getLogger(__name__)

# Longest side the photo is reduced to before anything else: enough pixels for stable histograms,
# few enough to describe an image in a few milliseconds.
_WORK_SIZE = 160
# (lightness, chroma, hue) bins. Hue bins are fine because catalogue shades of one nominal colour
# differ mostly in hue; chroma bins are spaced on sqrt(chroma) so near-greys are told apart.
_COLOUR_BINS = (12, 8, 32)
_LAYOUT_BINS = (6, 4, 16)
_LAYOUT_BANDS = 3
_MAX_CHROMA = 70.0
# Power < 0.5 flattens the histogram further than Hellinger: which shades are present matters more
# than how much of the frame they fill, which changes between a full shot and a close-up.
_COLOUR_POWER = 0.35
_TEXTURE_SIZE = 64
_HOG_CELLS = 4
_HOG_ORIENTATIONS = 9
_SHAPE_GRID = 8
_NEIGHBOURS = ((-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1))
_LBP_RADII = (1, 2)
# Uniform patterns are coded by their count of brighter neighbours (0-8); all others share code 9.
_LBP_CODES = len(_NEIGHBOURS) + 2
# Squared block weights, chosen on the Luma "same product, other view" benchmark (bench/).
_WEIGHTS = {"colour": 1.0, "layout": 0.3, "gradients": 0.1, "patterns": 0.1, "shape": 0.1}


class VisualDescriptor:
    """Deterministic, weight-free image embedding: colour, layout, texture and shape of the product."""

    model_id = "bridge-descriptor-v1"
    dim = (
        int(np.prod(_COLOUR_BINS))
        + _LAYOUT_BANDS * int(np.prod(_LAYOUT_BINS))
        + _HOG_CELLS * _HOG_CELLS * _HOG_ORIENTATIONS
        + len(_LBP_RADII) * _LBP_CODES
        + _SHAPE_GRID * _SHAPE_GRID
        + 2
    )

    def embed_images(self, images: list[Image.Image]) -> np.ndarray:
        """Describe each image as one unit-length float32 row of an (n, dim) matrix."""
        matrix = np.zeros((len(images), self.dim), dtype=np.float32)
        for row, image in enumerate(images):
            matrix[row] = self._describe(image)
        log.debug("described %d images with %s", len(images), self.model_id)
        return matrix

    def _describe(self, image: Image.Image) -> np.ndarray:
        lab, mask = _product_region(image)
        blocks = {
            "colour": _lch_histogram(lab[mask], _COLOUR_BINS),
            "layout": _band_histograms(lab, mask),
            "gradients": _orientation_histograms(_resize(lab[..., 0], _TEXTURE_SIZE), _resize(mask, _TEXTURE_SIZE)),
            "patterns": _local_binary_patterns(lab[..., 0], mask),
            "shape": _silhouette(mask),
        }
        vector = np.concatenate([np.sqrt(_WEIGHTS[name]) * block for name, block in blocks.items()])
        return _unit(vector)


def _product_region(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """Downscale, mask the backdrop and crop to the product, so padding and slight crops do not matter."""
    thumb = flatten_to_rgb(image)
    thumb.thumbnail((_WORK_SIZE, _WORK_SIZE), Image.Resampling.BILINEAR, reducing_gap=2.0)
    lab = srgb_to_lab(np.asarray(thumb))
    mask = foreground_mask(lab)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    box = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    return lab[box], mask[box]


def _lch_histogram(pixels: np.ndarray, bins: tuple[int, int, int]) -> np.ndarray:
    """Soft (trilinear) histogram over lightness, sqrt-chroma and circular hue, power-normalised."""
    n_light, n_chroma, n_hue = bins
    if len(pixels) == 0:
        return np.zeros(n_light * n_chroma * n_hue)
    chroma = np.minimum(np.hypot(pixels[:, 1], pixels[:, 2]), _MAX_CHROMA) / _MAX_CHROMA
    hue = np.arctan2(pixels[:, 2], pixels[:, 1]) % (2 * np.pi) / (2 * np.pi)
    light_pos = np.clip(pixels[:, 0] / 100.0 * n_light - 0.5, 0, n_light - 1)
    chroma_pos = np.clip(np.sqrt(chroma) * n_chroma - 0.5, 0, n_chroma - 1)
    hue_pos = hue * n_hue
    counts = np.zeros(n_light * n_chroma * n_hue)
    for light, light_w in _split(light_pos, n_light, circular=False):
        for chroma_bin, chroma_w in _split(chroma_pos, n_chroma, circular=False):
            for hue_bin, hue_w in _split(hue_pos, n_hue, circular=True):
                index = (light * n_chroma + chroma_bin) * n_hue + hue_bin
                counts += np.bincount(index, light_w * chroma_w * hue_w, minlength=len(counts))
    return _unit((counts / counts.sum()) ** _COLOUR_POWER)


def _split(position: np.ndarray, n_bins: int, *, circular: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    """Share each value between its two nearest bin centres (linear interpolation)."""
    lower = np.floor(position).astype(int)
    frac = position - lower
    upper = lower + 1
    upper = upper % n_bins if circular else np.minimum(upper, n_bins - 1)
    return [(lower % n_bins, 1.0 - frac), (upper, frac)]


def _band_histograms(lab: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Coarse colour of the top, middle and bottom of the product (collar vs hem, top vs trousers)."""
    edges = np.linspace(0, len(mask), _LAYOUT_BANDS + 1).astype(int)
    bands = [_lch_histogram(lab[start:stop][mask[start:stop]], _LAYOUT_BINS) for start, stop in pairwise(edges)]
    return _unit(np.concatenate(bands))


def _orientation_histograms(lightness: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """HOG-like: gradient orientations on a grid over the product, magnitude-weighted, Hellinger-normalised."""
    grad_y, grad_x = np.gradient(lightness)
    magnitude = np.hypot(grad_x, grad_y) * (mask > 0.5)
    position = np.mod(np.arctan2(grad_y, grad_x), np.pi) / np.pi * _HOG_ORIENTATIONS
    size, cells = lightness.shape[0], []
    edges = np.linspace(0, size, _HOG_CELLS + 1).astype(int)
    for top, bottom in pairwise(edges):
        for left, right in pairwise(edges):
            cell = np.zeros(_HOG_ORIENTATIONS)
            for orientation, share in _split(position[top:bottom, left:right], _HOG_ORIENTATIONS, circular=True):
                weights = (magnitude[top:bottom, left:right] * share).ravel()
                cell += np.bincount(orientation.ravel(), weights, minlength=_HOG_ORIENTATIONS)
            cells.append(cell)
    histogram = np.concatenate(cells)
    return _unit(np.sqrt(histogram / max(histogram.sum(), 1e-9)))


def _local_binary_patterns(lightness: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Rotation-invariant uniform LBP at radii 1 and 2: fabric texture (heather, knit, quilting)."""
    h, w = lightness.shape
    histograms = []
    for radius in _LBP_RADII:
        padded = np.pad(lightness, radius, mode="edge")
        # A neighbour must be clearly brighter (1 L unit) so JPEG noise on flat fabric reads as flat.
        bits = np.stack(
            [
                padded[radius + dy * radius : radius + dy * radius + h, radius + dx * radius : radius + dx * radius + w]
                >= lightness + 1.0
                for dy, dx in _NEIGHBOURS
            ]
        )
        transitions = (bits != np.roll(bits, 1, axis=0)).sum(axis=0)
        code = np.where(transitions <= 2, bits.sum(axis=0), _LBP_CODES - 1)
        counts = np.bincount(code[mask], minlength=_LBP_CODES).astype(float)
        histograms.append(np.sqrt(counts / max(counts.sum(), 1.0)))
    return _unit(np.concatenate(histograms))


def _silhouette(mask: np.ndarray) -> np.ndarray:
    """Coarse occupancy of the product's bounding box, its aspect ratio and how much of the box it fills."""
    occupancy = _resize(mask, _SHAPE_GRID).ravel()
    aspect = np.log(mask.shape[0] / mask.shape[1])
    return _unit(np.concatenate([occupancy, [aspect, 2.0 * mask.mean()]]))


def _resize(channel: np.ndarray, size: int) -> np.ndarray:
    """Resample a 2-D array to size x size (bilinear), so grids cover the product whatever its shape."""
    image = Image.fromarray(channel.astype(np.float32))
    return np.asarray(image.resize((size, size), Image.Resampling.BILINEAR))


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector
