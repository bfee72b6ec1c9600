"""Colour naming, parsing, CIEDE2000 distance and dominant-colour extraction for product photos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bridge.embedding.colors import (
    DominantColor,
    ciede2000,
    color_distance,
    color_name,
    dominant_colors,
    lab_to_hex,
    parse_color,
    similar_palette_names,
)
from bridge.errors import InvalidInputError

LUMA = Path(__file__).resolve().parents[3] / "shared" / "data" / "luma" / "images"
PALETTE = (
    "black",
    "white",
    "gray",
    "silver",
    "red",
    "maroon",
    "orange",
    "yellow",
    "olive",
    "green",
    "teal",
    "blue",
    "navy",
    "purple",
    "pink",
    "brown",
    "beige",
)


def shirt_photo(body: tuple[int, int, int], trim: tuple[int, int, int] | None = None) -> Image.Image:
    """A T-shirt on a white studio backdrop, optionally with a contrasting band across the chest."""
    image = Image.new("RGB", (300, 400), "white")
    draw = ImageDraw.Draw(image)
    draw.polygon(
        [
            (110, 40),
            (190, 40),
            (270, 100),
            (245, 150),
            (220, 130),
            (220, 360),
            (80, 360),
            (80, 130),
            (55, 150),
            (30, 100),
        ],
        fill=body,
    )
    if trim is not None:
        draw.rectangle((80, 160, 220, 230), fill=trim)
    return image


def test_a_red_shirt_on_white_is_red_and_the_backdrop_is_ignored():
    colours = dominant_colors(shirt_photo((200, 30, 40)))

    assert colours[0].name == "red"
    assert colours[0].share > 0.9
    assert all(colour.name != "white" for colour in colours)
    assert sum(colour.share for colour in colours) == pytest.approx(1.0)


def test_a_two_tone_shirt_reports_both_colours_largest_share_first():
    colours = dominant_colors(shirt_photo((30, 50, 150), trim=(240, 200, 40)), k=3)

    assert [colour.name for colour in colours[:2]] == ["blue", "yellow"]
    assert colours[0].share > colours[1].share > 0.15
    assert all(isinstance(colour, DominantColor) and colour.hex.startswith("#") for colour in colours)


def test_dominant_colours_are_deterministic_and_at_most_k():
    photo = shirt_photo((30, 120, 60), trim=(240, 240, 240))

    assert dominant_colors(photo, k=2) == dominant_colors(photo.copy(), k=2)
    assert len(dominant_colors(photo, k=2)) <= 2


@pytest.mark.parametrize(
    ("colour", "name"),
    [
        ("#000080", "navy"),
        ("#ff0000", "red"),
        ("#800000", "maroon"),
        ("#000000", "black"),
        ("#ffffff", "white"),
        ("#808080", "gray"),
        ("#008080", "teal"),
        ("#808000", "olive"),
        ("#ffa500", "orange"),
        ("ffff00", "yellow"),
        ("#008000", "green"),
        ("#0000ff", "blue"),
        ("#800080", "purple"),
        ("#ffc0cb", "pink"),
        ("#8b4513", "brown"),
        ("#d8c8a8", "beige"),
        ("#c0c0c0", "silver"),
        ((30, 50, 150), "blue"),
    ],
)
def test_colours_get_the_nearest_shopper_palette_name(colour, name):
    assert color_name(colour) == name


@pytest.mark.parametrize("name", PALETTE)
def test_every_palette_name_names_itself(name):
    assert color_name(name) == name
    assert color_name(name.upper()) == name


def test_ciede2000_matches_published_reference_pairs():
    # Pairs 1, 7, 17 and 25 of Sharma, Wu & Dalal (2005), Table 1.
    first = np.array([[50, 2.6772, -79.7751], [50, 0, 0], [50, 2.5, 0], [60.2574, -34.0099, 36.2677]])
    second = np.array([[50, 0, -82.7485], [50, -1, 2], [73, 25, -18], [60.4626, -34.1751, 39.4387]])

    np.testing.assert_allclose(ciede2000(first, second), [2.0425, 2.3669, 27.1492, 1.2644], atol=1e-4)


def test_color_distance_is_symmetric_zero_for_equal_colours_and_perceptual():
    assert color_distance("#1f3a93", "1F3A93") == pytest.approx(0.0)
    assert color_distance("red", "navy") == pytest.approx(color_distance("navy", "red"))
    assert color_distance("red", "maroon") < color_distance("red", "blue")
    assert color_distance("navy", "blue") < color_distance("navy", "yellow")


@pytest.mark.parametrize(
    ("colour", "names"),
    [
        ("orange", ["orange"]),
        ("navy", ["navy", "purple", "blue"]),
        ("#777777", ["gray"]),
        ("#ff00ff", ["pink", "purple", "red"]),
    ],
)
def test_similar_palette_names_widen_to_neighbours_but_not_from_colours_to_neutrals(colour, names):
    assert similar_palette_names(colour) == names


def test_similar_palette_names_reject_unknown_colours_naming_the_color_field():
    with pytest.raises(InvalidInputError) as raised:
        similar_palette_names("plaid-ish")

    assert raised.value.field == "color"


def test_parse_color_reads_hex_with_or_without_hash_and_palette_names():
    assert parse_color("#ffffff") == pytest.approx((100.0, 0.0, 0.0), abs=1e-3)
    assert parse_color("FFFFFF") == parse_color("#ffffff")
    assert parse_color(" Navy ") == parse_color("navy")


@pytest.mark.parametrize("value", ["", "#12345", "#1234567", "#gg0000", "sky", "rgb(1,2,3)", None, 7])
def test_parse_color_rejects_anything_else_naming_the_color_field(value):
    with pytest.raises(InvalidInputError) as raised:
        parse_color(value)

    assert raised.value.field == "color"


@pytest.mark.parametrize("colour", ["#1f3a93", "#ffffff", "#000000", "#c8282d", "#98d0a8"])
def test_lab_to_hex_inverts_parse_color(colour):
    assert lab_to_hex(parse_color(colour)) == colour


@pytest.mark.skipif(not LUMA.is_dir(), reason="Luma catalogue photos are not available")
@pytest.mark.parametrize(
    ("photo", "name"), [("m/h/mh03-blue_main.jpg", "blue"), ("m/j/mj01-orange_main.jpg", "orange")]
)
def test_real_catalogue_photos_are_named_as_the_shop_labels_them(photo, name):
    with Image.open(LUMA / photo) as image:
        colours = dominant_colors(image)

    assert colours[0].name == name
