"""The widgets in a real browser: one script tag on a shop page on another origin."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bridge.events.models import ShopperEvent
from tests.e2e.conftest import DEMO_PHOTOS, UNCLOSED_PHOTO_WARNING

pytestmark = pytest.mark.filterwarnings(UNCLOSED_PHOTO_WARNING)

RESULT_NAMES = ".backdrop .grid .name"


def open_shop(page, storefront, **kwargs):
    page.goto(storefront.shop_url(**kwargs))
    page.wait_for_function("window.Bridge && document.querySelectorAll('.bridge-widget').length > 0")


def upload(page, photo: str):
    page.get_by_role("button", name="Search by photo").click()
    expect(page.get_by_role("dialog", name="Search by photo")).to_be_visible()
    page.locator(".backdrop input[type=file]:not([capture])").set_input_files(str(DEMO_PHOTOS / photo))
    expect(page.locator(".backdrop .status")).to_have_text(re.compile(r"^\d+ matching products$"))


def events(storefront, kind: str) -> list[ShopperEvent]:
    with storefront.app.extensions["bridge"].db.transaction() as session:
        return list(session.scalars(select(ShopperEvent).where(ShopperEvent.event_type == kind)))


def test_a_photo_upload_finds_the_product_first(page, storefront):
    open_shop(page, storefront)
    upload(page, "wj03-blue.jpg")
    names = page.locator(RESULT_NAMES).all_text_contents()
    assert len(names) == 24
    assert names[0] == "Augusta Pullover Jacket"  # the product whose photo this is
    assert page.locator(".backdrop .grid img").first.get_attribute("alt") == names[0]


def test_moving_the_crop_box_searches_again_with_that_region(page, storefront):
    open_shop(page, storefront)
    upload(page, "mh01-black.jpg")
    before = page.locator(RESULT_NAMES).all_text_contents()
    box = page.locator(".backdrop .stage img").bounding_box()
    corner = page.locator(".backdrop .crop .se").bounding_box()
    with page.expect_response(re.compile(r"/v1/search/crop/upload\?")) as answered:
        page.mouse.move(corner["x"] + 8, corner["y"] + 8)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.4, steps=5)
        page.mouse.up()
    assert answered.value.ok
    width = page.locator(".backdrop .crop").evaluate("e => parseFloat(e.style.width)")
    assert 35 < width < 55  # percent of the photo
    expect(page.locator(".backdrop .status")).to_have_text(re.compile(r"^\d+ matching products$"))
    after = page.locator(RESULT_NAMES).all_text_contents()
    assert after != before


def test_the_price_filter_holds_in_every_result(page, storefront):
    open_shop(page, storefront)
    upload(page, "wj03-blue.jpg")
    page.get_by_label("Price to").fill("40")
    with page.expect_response(re.compile(r"/v1/search/crop/upload\?")):
        page.get_by_label("Price to").dispatch_event("change")
    expect(page.locator(".backdrop .status")).to_have_text(re.compile(r"^\d+ matching products$"))
    prices = page.locator(".backdrop .grid .price").all_text_contents()
    assert prices and all(float(p.split()[0].replace(",", ".")) <= 40 for p in prices)


def test_search_as_you_type_is_chosen_with_the_keyboard(page, storefront):
    preflights = []
    page.on("request", lambda request: request.method == "OPTIONS" and preflights.append(request.url))
    open_shop(page, storefront)
    box = page.get_by_role("combobox", name="Search")
    box.press_sequentially("jack", delay=30)
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    expect(page.locator(".suggest mark").first).to_have_text(re.compile(r"^jack$", re.IGNORECASE))
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    box.press("ArrowDown")
    chosen = options.nth(1)
    expect(chosen).to_have_attribute("aria-selected", "true")
    text = chosen.locator("span").first.text_content()
    box.press("Enter")
    expect(box).to_have_value(text)
    assert page.evaluate("window.submitted") == [text]
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially("e", delay=30)
    expect(options.first).to_be_visible()
    box.press("Escape")
    expect(page.locator(".suggest")).to_be_hidden()
    assert not [url for url in preflights if "/suggest" in url]  # one request a keystroke, no preflight


def test_carousels_show_as_many_products_as_the_settings_say(page, storefront):
    client = storefront.app.test_client()
    changed = client.patch(
        "/v1/website/settings",
        json={"home": {"n": 5, "title": "Popular now"}, "product": {"n": 7}},
        headers=storefront.headers,
    )
    assert changed.status_code == 200
    open_shop(page, storefront, product="wj01-blue")
    home = page.locator("#home .carousel")
    expect(home.get_by_role("heading")).to_have_text("Popular now")
    expect(home.locator("li")).to_have_count(5)
    similar = page.locator("#similar .carousel li")
    expect(similar).to_have_count(7)
    assert "Stellar Solar Jacket" not in similar.locator(".name").all_text_contents()  # wj01-blue itself
    # The shop's `* {color: #a00 !important}` does not reach inside the widgets.
    color = page.locator("#home .carousel h2").evaluate("e => getComputedStyle(e).color")
    assert color != "rgb(170, 0, 0)"


def test_views_clicks_and_a_login_merge_are_tracked(page, storefront):
    with page.expect_response(re.compile(r"/v1/events\?")):
        open_shop(page, storefront, product="mh02-black")
    anonymous = page.evaluate("Bridge.shopper.user_id")
    viewed = [e for e in events(storefront, "view") if e.user_id == anonymous]
    assert [e.item_id for e in viewed] == ["mh02-black"] and viewed[0].session_id
    card = page.locator("#similar .carousel .card").first
    clicked_name = card.locator(".name").text_content()
    with page.expect_response(re.compile(r"/v1/events\?")):
        card.evaluate("a => { a.addEventListener('click', e => e.preventDefault()); a.click(); }")
    clicks = [e for e in events(storefront, "click") if e.user_id == anonymous]
    products = storefront.app.extensions["bridge"].catalog.by_product_id(storefront.account_id, [clicks[0].item_id])
    assert products[clicks[0].item_id].name == clicked_name
    with page.expect_response(re.compile(r"/v1/merge_user\?")):
        page.evaluate("Bridge.identify('customer-9')")
    assert page.evaluate("localStorage.getItem('bridge.user_id')") == "customer-9"
    merged = {
        e.user_id
        for e in events(storefront, "view") + events(storefront, "click")
        if e.session_id == viewed[0].session_id
    }
    assert merged == {"customer-9"}


def test_the_same_page_on_an_origin_that_is_not_allowed_gets_nothing(page, storefront):
    page.goto(storefront.shop_url(origin=storefront.other_origin))
    page.wait_for_function("window.bridgeError !== undefined")
    assert page.locator(".bridge-widget").count() == 0
    assert any("Bridge widgets are off" in message for message in page.console_messages)


def test_the_lightbox_traps_focus_and_escape_gives_it_back(page, storefront):
    open_shop(page, storefront)
    camera = page.get_by_role("button", name="Search by photo")
    camera.click()
    dialog = page.get_by_role("dialog", name="Search by photo")
    expect(page.get_by_role("button", name="Choose a photo")).to_be_focused()
    for _ in range(6):
        page.keyboard.press("Tab")
        inside = page.evaluate("document.activeElement.classList.contains('bridge-widget')")
        assert inside, "focus left the lightbox"
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(camera).to_be_focused()


def test_a_theme_without_markers_gets_the_widgets_where_the_settings_say(page, storefront):
    client = storefront.app.test_client()
    placed = {"visualsearch_show_after": "#logo", "semanticsearch_bind": "#find", "home": {"show_after": "#welcome"}}
    assert client.patch("/v1/website/settings", json=placed, headers=storefront.headers).status_code == 200
    try:
        page.goto(storefront.plain_url)
        camera = page.get_by_role("button", name="Search by photo")
        expect(camera).to_be_visible()
        assert page.evaluate("document.querySelector('#logo').nextElementSibling.className") == "bridge-widget"
        expect(page.locator("#welcome + .bridge-widget .carousel li").first).to_be_visible()
        page.get_by_role("combobox", name="Find").press_sequentially("pant", delay=30)
        expect(page.get_by_role("option").first).to_be_visible()
    finally:
        reset = {"visualsearch_show_after": "", "semanticsearch_bind": "", "home": {"show_after": ""}}
        client.patch("/v1/website/settings", json=reset, headers=storefront.headers)


DROP_AND_PASTE = """([kind, photo]) => {
  const transfer = new DataTransfer();
  const bytes = Uint8Array.from(atob(photo), (c) => c.charCodeAt(0));
  transfer.items.add(new File([bytes], "photo.jpg", { type: "image/jpeg" }));
  const hosts = [...document.querySelectorAll(".bridge-widget")];
  const dialog = hosts.map((host) => host.shadowRoot.querySelector(".dialog")).find(Boolean);
  const init = { bubbles: true, cancelable: true };
  if (kind === "drop") dialog.dispatchEvent(new DragEvent("drop", { ...init, dataTransfer: transfer }));
  else document.dispatchEvent(new ClipboardEvent("paste", { ...init, clipboardData: transfer }));
}"""


@pytest.mark.parametrize("kind", ["drop", "paste"])
def test_a_photo_can_be_dropped_or_pasted_into_the_lightbox(page, storefront, kind):
    open_shop(page, storefront)
    page.get_by_role("button", name="Search by photo").click()
    photo = base64.b64encode((DEMO_PHOTOS / "wj03-blue.jpg").read_bytes()).decode()
    with page.expect_response(re.compile(r"/v1/search/crop/upload\?")):
        page.evaluate(DROP_AND_PASTE, [kind, photo])
    expect(page.locator(".backdrop .status")).to_have_text(re.compile(r"^\d+ matching products$"))
    assert page.locator(RESULT_NAMES).first.text_content() == "Augusta Pullover Jacket"
