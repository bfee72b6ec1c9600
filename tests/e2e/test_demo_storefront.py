"""The demo storefront served by Bridge, at desktop and phone sizes.

With ``BRIDGE_SCREENSHOTS=docs/screenshots`` the screenshots land in the docs; otherwise in
the test's temporary folder (they are taken either way, so the pages are really rendered).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PHOTOS, UNCLOSED_PHOTO_WARNING

pytestmark = pytest.mark.filterwarnings(UNCLOSED_PHOTO_WARNING)

SIZES = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("BRIDGE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("size", SIZES)
def test_the_demo_storefront_mounts_every_widget(browser, storefront, shots, size):
    context = browser.new_context(viewport=SIZES[size], is_mobile=size == "phone", has_touch=size == "phone")
    page = context.new_page()
    page.goto(f"{storefront.url}/widgets/demo?key={storefront.key}")
    expect(page.locator("#main-grid li, main .grid li").first).to_be_visible()
    expect(page.locator("[data-bridge-carousel=home] .carousel li").first).to_be_visible()
    box = page.get_by_role("combobox", name="Search products")
    box.press_sequentially("hood", delay=30)
    expect(page.get_by_role("option").first).to_be_visible()
    page.screenshot(path=str(shots / f"demo-suggest-{size}.png"))
    box.press("Escape")

    page.get_by_role("button", name="Search by photo").click()
    page.locator(".backdrop input[type=file]:not([capture])").set_input_files(str(DEMO_PHOTOS / "wh02-blue.jpg"))
    expect(page.locator(".backdrop .status")).to_have_text(re.compile(r"^\d+ matching products$"))
    dialog = page.get_by_role("dialog", name="Search by photo").bounding_box()
    if size == "phone":  # full screen on phones, results two abreast
        assert dialog["width"] == SIZES["phone"]["width"]
        tops = [b["y"] for b in (page.locator(".backdrop .grid li").nth(i).bounding_box() for i in range(2))]
        assert tops[0] == tops[1]
    else:
        assert dialog["width"] < SIZES["desktop"]["width"]
    page.screenshot(path=str(shots / f"demo-visual-search-{size}.png"))
    page.keyboard.press("Escape")

    page.locator("main .grid a").first.click()
    expect(page.locator("[data-bridge-carousel=product] .carousel li").first).to_be_visible()
    page.screenshot(path=str(shots / f"demo-product-{size}.png"), full_page=True)
    context.close()


def test_the_demo_page_without_a_valid_key_says_what_to_do(browser, storefront):
    page = browser.new_page()
    response = page.goto(f"{storefront.url}/widgets/demo?key=pk_unknown")
    assert response.status == 404
    expect(page.locator("body")).to_contain_text("/v1/widget-keys")
    page.close()
