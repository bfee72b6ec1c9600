"""The weight-free descriptor: a well-formed embedding that finds the same product again and ranks by colour."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bridge.embedding.descriptor import VisualDescriptor

SHIRT = [
    (150, 60),
    (250, 60),
    (350, 130),
    (320, 190),
    (290, 170),
    (290, 440),
    (110, 440),
    (110, 170),
    (80, 190),
    (50, 130),
]
TROUSERS = [(120, 50), (280, 50), (300, 460), (215, 460), (200, 180), (185, 460), (100, 460)]
DRESS = [(160, 50), (240, 50), (260, 160), (330, 460), (70, 460), (140, 160)]


def garment(
    outline: list[tuple[int, int]],
    colour: tuple[int, int, int],
    *,
    stripes: tuple[int, int, int] | None = None,
    size: tuple[int, int] = (400, 500),
    seed: int = 0,
) -> Image.Image:
    """A flat-lay product photo: a shaded, lightly textured garment on a white studio backdrop."""
    image = Image.new("RGB", size, "white")
    fill = Image.new("L", size, 0)
    ImageDraw.Draw(fill).polygon(outline, fill=255)
    rng = np.random.default_rng(seed)
    fabric = np.empty((size[1], size[0], 3))
    fabric[:] = colour
    if stripes is not None:
        fabric[(np.arange(size[1]) // 12) % 2 == 0] = stripes
    shading = np.linspace(1.05, 0.9, size[1])[:, None, None]
    fabric = np.clip(fabric * shading + rng.normal(0, 4, fabric.shape), 0, 255).astype(np.uint8)
    image.paste(Image.fromarray(fabric), mask=fill)
    ImageDraw.Draw(image).line([*outline, outline[0]], fill=tuple(int(c * 0.7) for c in colour), width=2)
    return image


def recapture(image: Image.Image, crop: float = 0.07) -> Image.Image:
    """The same photo as a shop might re-upload it: trimmed, downsized and recompressed."""
    w, h = image.size
    trimmed = image.crop((int(w * crop / 2), int(h * crop / 3), int(w * (1 - crop / 2)), int(h * (1 - crop * 2 / 3))))
    small = trimmed.resize((int(trimmed.width * 0.6), int(trimmed.height * 0.6)), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=70)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


@pytest.fixture(scope="module")
def descriptor() -> VisualDescriptor:
    return VisualDescriptor()


def test_embeddings_are_unit_length_float32_rows_of_the_declared_dim(descriptor):
    images = [garment(SHIRT, (200, 30, 40)), garment(DRESS, (40, 60, 160)), Image.new("RGB", (64, 48), "gray")]

    vectors = descriptor.embed_images(images)

    assert vectors.shape == (3, descriptor.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert descriptor.model_id == "bridge-descriptor-v1"


def test_no_images_give_an_empty_matrix_of_the_right_width(descriptor):
    assert descriptor.embed_images([]).shape == (0, descriptor.dim)


def test_the_same_image_is_always_described_identically(descriptor):
    image = garment(SHIRT, (30, 120, 60), stripes=(240, 240, 240))

    first = descriptor.embed_images([image])
    again = VisualDescriptor().embed_images([image.copy()])

    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGB", (1, 1), "red"),
        Image.new("L", (30, 20), 90),
        Image.new("RGBA", (40, 40), (0, 0, 0, 0)),
        Image.new("RGB", (600, 2), "blue"),
    ],
)
def test_degenerate_images_still_give_unit_vectors(descriptor, image):
    vector = descriptor.embed_images([image])[0]

    assert np.isfinite(vector).all()
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_a_recaptured_copy_finds_its_original_among_similar_products(descriptor):
    catalogue = [
        garment(SHIRT, (200, 30, 40)),
        garment(SHIRT, (170, 40, 60), seed=1),
        garment(SHIRT, (200, 30, 40), stripes=(245, 245, 245), seed=2),
        garment(DRESS, (200, 30, 40), seed=3),
        garment(TROUSERS, (200, 30, 40), seed=4),
        garment(SHIRT, (40, 60, 160), seed=5),
        garment(TROUSERS, (30, 30, 35), seed=6),
    ]
    gallery = descriptor.embed_images(catalogue)

    for index, product in enumerate(catalogue):
        query = descriptor.embed_images([recapture(product)])[0]
        assert int(np.argmax(gallery @ query)) == index


def test_extra_white_padding_barely_changes_the_description(descriptor):
    shirt = garment(SHIRT, (230, 140, 30))
    padded = Image.new("RGB", (700, 800), "white")
    padded.paste(shirt, (120, 200))

    original, framed = descriptor.embed_images([shirt, padded])

    assert float(original @ framed) > 0.97


def test_colour_outweighs_shape_when_the_garment_is_mostly_one_colour(descriptor):
    # Shoppers searching with a photo of a red shirt want red things first: a red dress should beat
    # a blue shirt with the identical cut.
    query, red_dress, blue_shirt = descriptor.embed_images(
        [garment(SHIRT, (200, 30, 40)), garment(DRESS, (200, 30, 40), seed=1), garment(SHIRT, (40, 60, 160), seed=2)]
    )

    assert float(query @ red_dress) > float(query @ blue_shirt)


def test_shape_and_texture_break_ties_between_products_of_the_same_colour(descriptor):
    query, same_cut, other_cut = descriptor.embed_images(
        [garment(SHIRT, (30, 120, 60)), garment(SHIRT, (30, 120, 60), seed=1), garment(TROUSERS, (30, 120, 60), seed=2)]
    )

    assert float(query @ same_cut) > float(query @ other_cut)
