"""Colour science for product photos: CIELAB conversion, background masking, dominant colours and names.

Shoppers search by colour words ("navy", "beige"), and product photos sit on white or light-grey
backdrops, so everything here works in CIELAB (where distances track perception) and ignores the
backdrop before counting colours.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from bridge.errors import InvalidInputError

log = logging.getLogger(__name__)

_SRGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
)
_D65_WHITE = np.array([0.95047, 1.0, 1.08883])
_HEX_RE = re.compile(r"#?([0-9a-fA-F]{6})")

# Reference shades as shops label clothing, not the saturated CSS keywords, calibrated on Luma's catalogue
# photos: a name may own several shades (royal and light blue, forest and mint green), and studio
# lighting renders "red" coral and "yellow" pale. The first shade of a name stands for the name itself.
_PALETTE_SHADES = {
    "black": ("#1c1c1e",),
    "white": ("#f4f4f2", "#dad8d4"),
    "gray": ("#7f7f82", "#a6a5a8", "#505054"),
    "silver": ("#c0c3c8",),
    "red": ("#c8282d", "#d2706f"),
    "maroon": ("#7a1e2c",),
    "orange": ("#f07828", "#eeab58"),
    "yellow": ("#f2d53c", "#e4da8a"),
    "olive": ("#6b6b2a",),
    "green": ("#2f8a45", "#1f4a36", "#98d0a8"),
    "teal": ("#1b8a8c",),
    "blue": ("#2d5fc0", "#2a34a0", "#6f9ad8", "#a8c8e8"),
    "navy": ("#1b2550", "#101860"),
    "purple": ("#6e3b9c", "#3e1a70", "#8e80b0"),
    "pink": ("#f08cb4", "#f6b8cc"),
    "brown": ("#6b4626",),
    "beige": ("#d9c8a5",),
}

# Pixels on the light backdrop are those within this CIE76 distance of the estimated backdrop colour.
_BACKDROP_TOLERANCE = 8.0
_KMEANS_ITERATIONS = 12
_KMEANS_MAX_PIXELS = 4096
_MERGE_DELTA_E = 6.0
# Names whose closest shade is within this much of the best match count as "the same colour" for filters.
_SIMILAR_DELTA_E = 14.0
_NEUTRALS = frozenset({"black", "white", "gray", "silver"})
_NEUTRAL_CHROMA = 15.0


@dataclass(frozen=True)
class DominantColor:
    """One colour of a product photo: its mean sRGB hex, nearest palette name, and share of the product."""

    hex: str
    name: str
    share: float


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """Convert uint8 sRGB values (any shape ending in 3) to CIELAB (D65)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    xyz = c @ _SRGB_TO_XYZ.T / _D65_WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16.0 / 116.0)
    lightness = 116.0 * f[..., 1] - 16.0
    return np.stack([lightness, 500.0 * (f[..., 0] - f[..., 1]), 200.0 * (f[..., 1] - f[..., 2])], axis=-1)


def flatten_to_rgb(image: Image.Image) -> Image.Image:
    """Return an RGB copy with any transparency composited onto white: a cut-out's backdrop is the backdrop."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(canvas, rgba).convert("RGB")
    return image.convert("RGB")


def lab_to_hex(lab: Sequence[float]) -> str:
    """Convert one CIELAB (D65) colour back to "#rrggbb", clipping what sRGB cannot show."""
    lightness, a, b = (float(v) for v in lab)
    fy = (lightness + 16.0) / 116.0
    f = np.array([fy + a / 500.0, fy, fy - b / 200.0])
    xyz = np.where(f**3 > 0.008856, f**3, (f - 16.0 / 116.0) / 7.787) * _D65_WHITE
    linear = np.clip(np.linalg.solve(_SRGB_TO_XYZ, xyz), 0.0, 1.0)
    srgb = np.where(linear > 0.0031308, 1.055 * linear ** (1 / 2.4) - 0.055, 12.92 * linear)
    return "#{:02x}{:02x}{:02x}".format(*np.rint(srgb * 255).astype(int))


def foreground_mask(lab: np.ndarray) -> np.ndarray:
    """Mark the product pixels of an (h, w, 3) Lab image.

    The backdrop is the light colour along the border; only backdrop-coloured regions that touch the
    border count, so a white garment enclosed by its own outline survives. Photos without a light
    border (close-ups, lifestyle shots) are all foreground.
    """
    h, w, _ = lab.shape
    border = np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])
    light = (border[:, 0] > 80.0) & (np.hypot(border[:, 1], border[:, 2]) < 12.0)
    if light.mean() < 0.3:
        return np.ones((h, w), dtype=bool)
    backdrop = np.median(border[light], axis=0)
    candidate = np.linalg.norm(lab - backdrop, axis=-1) < _BACKDROP_TOLERANCE
    labels, _ = ndimage.label(candidate)
    edge_labels = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    mask = ndimage.binary_opening(~np.isin(labels, edge_labels[edge_labels > 0]))
    if mask.mean() < 0.01:
        return np.ones((h, w), dtype=bool)
    return mask


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference between broadcastable Lab arrays (Sharma, Wu & Dalal 2005)."""
    l1, a1, b1 = np.moveaxis(np.asarray(lab1, dtype=np.float64), -1, 0)
    l2, a2, b2 = np.moveaxis(np.asarray(lab2, dtype=np.float64), -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2.0
    g = 0.5 * (1.0 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = a1 * (1.0 + g), a2 * (1.0 + g)
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360.0
    dh = h2p - h1p
    dh = np.where(dh > 180.0, dh - 360.0, np.where(dh < -180.0, dh + 360.0, dh))
    dh = np.where(c1p * c2p == 0, 0.0, dh)
    d_hue = 2.0 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2.0)
    h_bar = (h1p + h2p) / 2.0
    h_bar = np.where(np.abs(h1p - h2p) > 180.0, h_bar + np.where(h_bar < 180.0, 180.0, -180.0), h_bar)
    h_bar = np.where(c1p * c2p == 0, h1p + h2p, h_bar)
    t = (
        1.0
        - 0.17 * np.cos(np.radians(h_bar - 30.0))
        + 0.24 * np.cos(np.radians(2.0 * h_bar))
        + 0.32 * np.cos(np.radians(3.0 * h_bar + 6.0))
        - 0.20 * np.cos(np.radians(4.0 * h_bar - 63.0))
    )
    l_bar, cp_bar = (l1 + l2) / 2.0, (c1p + c2p) / 2.0
    s_l = 1.0 + 0.015 * (l_bar - 50.0) ** 2 / np.sqrt(20.0 + (l_bar - 50.0) ** 2)
    s_c = 1.0 + 0.045 * cp_bar
    s_h = 1.0 + 0.015 * cp_bar * t
    r_t = (
        -2.0
        * np.sqrt(cp_bar**7 / (cp_bar**7 + 25.0**7))
        * np.sin(np.radians(60.0 * np.exp(-(((h_bar - 275.0) / 25.0) ** 2))))
    )
    dl, dc, dhh = (l2 - l1) / s_l, (c2p - c1p) / s_c, d_hue / s_h
    return np.sqrt(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh)


def _hex_to_rgb(value: str) -> tuple[int, int, int]:
    digits = value.lstrip("#")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


_PALETTE_NAMES = tuple(_PALETTE_SHADES)
_SHADE_NAMES = tuple(name for name, shades in _PALETTE_SHADES.items() for _ in shades)
_SHADE_LAB = srgb_to_lab(np.array([_hex_to_rgb(h) for shades in _PALETTE_SHADES.values() for h in shades]))


def parse_color(value: str) -> tuple[float, float, float]:
    """Read "#rrggbb", "rrggbb" or a palette name (any case) as Lab; anything else is the caller's mistake."""
    text = value.strip() if isinstance(value, str) else ""
    if text.lower() in _PALETTE_SHADES:
        text = _PALETTE_SHADES[text.lower()][0]
    if not _HEX_RE.fullmatch(text):
        raise InvalidInputError(
            f"{value!r} is not a colour: use #rrggbb or one of {', '.join(_PALETTE_NAMES)}", field="color"
        )
    return tuple(float(v) for v in srgb_to_lab(np.array(_hex_to_rgb(text))))


def color_name(color: str | Sequence[int]) -> str:
    """Name a colour (hex string, palette name or (r, g, b)) with the nearest palette entry by CIEDE2000."""
    lab = np.array(parse_color(color)) if isinstance(color, str) else srgb_to_lab(np.array(color[:3]))
    return _SHADE_NAMES[int(np.argmin(ciede2000(lab, _SHADE_LAB)))]


def similar_palette_names(color: str, tolerance: float = _SIMILAR_DELTA_E) -> list[str]:
    """Palette names a shopper asking for ``color`` would accept, nearest first.

    A name qualifies when one of its shades lies within ``tolerance`` (CIEDE2000) of the best match,
    so "navy" also finds "blue" while "orange" stays orange. A clearly coloured request never widens
    to the neutrals: CIEDE2000 shrinks chroma gaps at high chroma, which would let magenta reach gray.
    """
    lab = np.array(parse_color(color))
    distances = ciede2000(lab, _SHADE_LAB)
    shade_names = np.array(_SHADE_NAMES)
    nearest = {name: float(distances[shade_names == name].min()) for name in _PALETTE_NAMES}
    best = min(nearest, key=nearest.__getitem__)
    chromatic = np.hypot(lab[1], lab[2]) >= _NEUTRAL_CHROMA
    similar = [
        name
        for name, distance in nearest.items()
        if distance <= nearest[best] + tolerance and not (chromatic and name in _NEUTRALS and name != best)
    ]
    return sorted(similar, key=nearest.__getitem__)


def color_distance(a: str, b: str) -> float:
    """Perceptual (CIEDE2000) distance between two colours given as hex strings or palette names."""
    return float(ciede2000(np.array(parse_color(a)), np.array(parse_color(b))))


def dominant_colors(image: Image.Image, k: int = 3) -> list[DominantColor]:
    """Return up to ``k`` colours of the product in ``image``, largest share first, backdrop ignored.

    Deterministic k-means in Lab on a downscaled copy; clusters closer than a just-noticeable
    difference are merged so a plain garment is not split into near-identical shades.
    """
    rgb, lab = _product_pixels(image)
    step = max(1, len(lab) // _KMEANS_MAX_PIXELS)
    centres = _kmeans(lab[::step], max(1, k))
    assignment = _merge_close(centres, np.argmin(((lab[:, None, :] - centres[None]) ** 2).sum(-1), axis=1))
    counts = np.bincount(assignment, minlength=len(centres))
    colours = []
    for cluster in np.argsort(-counts, kind="stable")[: np.count_nonzero(counts)]:
        hex_value = "#{:02x}{:02x}{:02x}".format(*np.rint(rgb[assignment == cluster].mean(axis=0)).astype(int))
        colours.append(DominantColor(hex_value, color_name(hex_value), float(counts[cluster] / len(lab))))
    log.debug("dominant colours: %s", colours)
    return colours


def _product_pixels(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """The (rgb, lab) pixels of the product in a small copy of the photo, backdrop removed."""
    thumb = flatten_to_rgb(image)
    thumb.thumbnail((128, 128))
    rgb = np.asarray(thumb)
    lab = srgb_to_lab(rgb)
    mask = foreground_mask(lab)
    return rgb[mask], lab[mask]


def _kmeans(points: np.ndarray, k: int) -> np.ndarray:
    """Lloyd's k-means seeded by farthest-point sampling from the Lab median, so results are repeatable."""
    centres = [np.median(points, axis=0)]
    for _ in range(1, min(k, len(points))):
        dist = np.min([((points - c) ** 2).sum(-1) for c in centres], axis=0)
        centres.append(points[int(np.argmax(dist))])
    centres = np.array(centres)
    for _ in range(_KMEANS_ITERATIONS):
        assignment = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
        for i in range(len(centres)):
            members = points[assignment == i]
            if len(members):
                centres[i] = members.mean(axis=0)
    return centres


def _merge_close(centres: np.ndarray, assignment: np.ndarray) -> np.ndarray:
    """Fold each cluster into an earlier one that is perceptually indistinguishable from it."""
    target = np.arange(len(centres))
    for j in range(len(centres)):
        for i in range(j):
            if target[i] == i and ciede2000(centres[i], centres[j]) < _MERGE_DELTA_E:
                target[j] = i
                break
    return target[assignment]
