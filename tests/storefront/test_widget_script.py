"""The widget script's URL and caching, and the demo storefront page's headers."""

from __future__ import annotations


def test_the_script_is_versioned_cacheable_and_loadable_from_any_site(client):
    with client.get("/widgets/v1/bridge.js") as response:
        body = response.get_data()
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert "max-age=3600" in response.headers["Cache-Control"] and "public" in response.headers["Cache-Control"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"public_key=" in body
    with client.get("/widgets/v1/bridge.js", headers={"If-None-Match": response.headers["ETag"]}) as again:
        assert again.status_code == 304


def test_the_demo_storefront_lists_the_keys_catalog_and_carries_the_script(client, auth):
    account = auth.account()
    client.post("/v1/products/demo", headers=account.headers)
    key = client.post(
        "/v1/widget-keys", json={"name": "Demo", "allowed_origins": ["http://bridge.test"]}, headers=account.headers
    ).json["key"]
    page = client.get(f"/widgets/demo?key={key}")
    assert page.status_code == 200
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assert f'data-key="{key}"' in html and "/widgets/v1/bridge.js" in html
    assert html.count("<li><a href=") == 12 and 'data-bridge-carousel="home"' in html
    product = client.get(f"/widgets/demo?key={key}&product=wj01-blue").get_data(as_text=True)
    assert 'data-bridge-product="wj01-blue"' in product and "Stellar Solar Jacket" in product
    found = client.get(f"/widgets/demo?key={key}&q=backpack").get_data(as_text=True)
    assert "Results for" in found and "Backpack" in found
    assert client.get(f"/widgets/demo?key={key}&product=nope").status_code == 404
