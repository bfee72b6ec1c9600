"""Website settings (seed 003): defaults, partial and whole changes, validation, nothing half-written."""

from __future__ import annotations

import pytest

from bridge.storefront.settings import DEFAULTS


def test_settings_start_from_the_defaults_in_seed_003s_shape(client, auth):
    account = auth.account()
    settings = client.get("/v1/website/settings", headers=account.headers).json
    assert settings == DEFAULTS
    for section in ("home", "product", "cart", "order"):
        assert set(settings[section]) >= {"show", "algo", "title", "n", "show_after"}
    assert "query" in settings["product"]


def test_patch_changes_only_what_it_names_and_put_resets_the_rest(client, auth):
    account = auth.account()
    patched = client.patch(
        "/v1/website/settings",
        json={"product": {"n": "8", "title": "Looks like this"}, "currency": "USD", "semanticsearch_bind": "#q"},
        headers=account.headers,
    ).json
    assert patched["product"] == {**DEFAULTS["product"], "n": 8, "title": "Looks like this"}
    assert patched["currency"] == "USD" and patched["semanticsearch_bind"] == "#q"
    assert client.get("/v1/website/settings", headers=account.headers).json == patched
    replaced = client.put("/v1/website/settings", json={"currency": "GBP"}, headers=account.headers).json
    assert replaced == {**DEFAULTS, "currency": "GBP"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"home": {"algo": "user"}}, "home.algo"),
        ({"cart": {"n": 0}}, "cart.n"),
        ({"currency": "eur"}, "currency"),
        ({"currency_format": "dollars"}, "currency_format"),
        ({"visualsearch_show_after": "div</style><script>"}, "visualsearch_show_after"),
        ({"visualsearch_image": "javascript:alert(1)"}, "visualsearch_image"),
        ({"has_visualsearch": "maybe"}, "has_visualsearch"),
    ],
)
def test_a_bad_setting_is_refused_naming_it_and_nothing_changes(client, auth, change, field):
    account = auth.account()
    before = client.get("/v1/website/settings", headers=account.headers).json
    response = client.patch("/v1/website/settings", json={"css": ".x{}", **change}, headers=account.headers)
    assert response.status_code == 422 and response.json["field"] == field, response.json
    assert client.get("/v1/website/settings", headers=account.headers).json == before


def test_each_account_has_its_own_settings(client, auth):
    shop_a, shop_b = auth.account(), auth.account()
    client.patch("/v1/website/settings", json={"currency": "CHF"}, headers=shop_a.headers)
    assert client.get("/v1/website/settings", headers=shop_b.headers).json["currency"] == "EUR"
