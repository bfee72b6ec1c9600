"""From cosine similarity to the documented ``similarity_score`` in [0, 1].

Each vector space has its own typical range of cosine similarity: CLIP puts any two
product photos at 0.5 or more, while text-to-image cosines rarely pass 0.35. A
linear map per space, clamped to [0, 1], makes one threshold mean roughly the same
thing everywhere: 0.5 for images is "visibly the same kind of product", 0.3 for
text is "plausibly relevant". The ranges were read off the Luma photos and texts.
"""

from __future__ import annotations

# space -> (cosine that maps to 0, cosine that maps to 1)
COSINE_RANGES: dict[str, tuple[float, float]] = {
    "clip": (0.5, 0.95),  # image to image
    "clip_text": (0.12, 0.34),  # text to image
    "descriptor": (0.3, 0.95),
    "text": (0.05, 0.75),  # MiniLM query to product text
}


def similarity_score(space: str, cosine: float) -> float:
    low, high = COSINE_RANGES[space]
    return round(min(1.0, max(0.0, (cosine - low) / (high - low))), 4)
