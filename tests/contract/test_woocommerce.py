"""WooCommerce REST v3 against a loopback server: recorded responses, then generated catalogs."""

from __future__ import annotations

import json

from tests.platform_catalogs import woo_products
from tests.platforms import WOO_KEYS, FakeWooCommerce, fixture


def test_recorded_listing_maps_title_text_price_categories_images_and_stock(merchant, server):
    listing = fixture("woocommerce/docs_v3__GET_products.json")
    FakeWooCommerce(server, listing)
    connector = merchant.services.connectors
    row = connector.get(
        merchant.account.account_id, merchant.connect("woocommerce", server.url_for(""), WOO_KEYS)["id"]
    )
    page = connector.connector(row).fetch_page(None, None)
    records = {record.product_id: record.payload for record in page.records}
    assert set(records) == {"799", "794"} and page.next_cursor is None
    simple = records["794"]["metadata"]
    assert simple["name"] == "Premium Quality"
    assert simple["price"] == 21.99
    assert "<" not in simple["description"] and "Pellentesque habitant" in simple["description"]
    assert simple["category"] == "Clothing" and simple["in_stock"] is True
    assert records["794"]["image_urls"][0].endswith("T_2_front-4.jpg")
    variable = records["799"]["metadata"]
    assert variable.get("price") is None  # "price": "" in the docs example: no price, not 0
    assert variable["color_name"] == "Black"


def test_thousand_products_over_ten_pages_arrive_once_through_429_and_502(merchant, server, sleeps):
    shop = FakeWooCommerce(server, woo_products(1000))
    shop.fault(3, 429, **{"Retry-After": "2.0"})
    shop.fault(7, 502)
    connector = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS)
    indexed: list[str] = []
    catalog = merchant.services.catalog
    original = catalog.prepare
    catalog.prepare = lambda account, payloads: (
        indexed.extend(p["product_id"] for p in payloads) or original(account, payloads)
    )
    run = merchant.sync(connector["id"])
    assert run["status"] == "succeeded", run
    assert (run["seen"], run["created"], run["failed"], run["pages"]) == (1000, 1000, 0, 10)
    assert sorted(indexed) == sorted(str(i) for i in range(1, 1001))  # each exactly once
    assert len(merchant.products()) == 1000
    assert sleeps[0] == 2.0 and len(sleeps) == 2  # Retry-After as sent, then backoff for the 502
    assert [entry["args"]["page"] for entry in shop.log] == [
        "1",
        "2",
        "3",
        "3",
        "4",
        "5",
        "6",
        "6",
        "7",
        "8",
        "9",
        "10",
    ]


def test_resync_skips_unchanged_and_sees_deletions(merchant, server):
    shop = FakeWooCommerce(server, woo_products(30))
    connector = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS, options={"page_size": 10})
    merchant.sync(connector["id"])
    del shop.products[5:8]
    shop.products[0]["name"] = "Renamed"
    run = merchant.sync(connector["id"])
    assert (run["seen"], run["updated"], run["unchanged"], run["deleted"]) == (27, 1, 26, 3)
    products = merchant.products()
    assert len(products) == 27 and products["1"].name == "Renamed" and "6" not in products


def test_incremental_sync_asks_for_modified_after_the_bookmark(merchant, server):
    shop = FakeWooCommerce(server, woo_products(20))
    connector = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS)
    merchant.sync(connector["id"])
    bookmark = merchant.client.get(f"/v1/connectors/{connector['id']}", headers=merchant.account.headers).json
    assert bookmark["bookmark"].startswith("2026-01-01T00:19")  # the newest date_modified_gmt seen
    shop.products += woo_products(1, start=500)
    shop.products[-1]["date_modified_gmt"] = "2026-02-01T00:00:00"
    shop.log.clear()
    run = merchant.sync(connector["id"], "incremental")
    assert shop.log[0]["args"]["modified_after"] == "2026-01-01T00:14:00"  # 5 minutes of overlap
    assert (run["seen"], run["created"], run["unchanged"], run["deleted"]) == (6, 1, 5, 0)


def test_unsigned_ping_gets_200_and_changes_nothing(merchant, client):
    connector = merchant.connect("woocommerce", "http://127.0.0.1:9", WOO_KEYS)
    response = client.post(
        f"/v1/connectors/{connector['id']}/webhooks/woocommerce",
        data=b"webhook_id=142",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and response.json["status"] == "ok"
    assert merchant.products() == {}


def test_signed_product_webhook_updates_the_product(merchant, client):
    from connectors.signatures import sign

    connector = merchant.connect("woocommerce", "http://127.0.0.1:9", WOO_KEYS)
    product = fixture("woocommerce/docs_v3__GET_product_794.json")
    product["images"] = []
    body = json.dumps(product).replace("/", "\\/").encode()  # as wp_json_encode writes it
    headers = {"X-WC-Webhook-Topic": "product.updated", "X-WC-Webhook-Signature": sign("woo-hook-secret", body)}
    url = f"/v1/connectors/{connector['id']}/webhooks/woocommerce"
    response = client.post(url, data=body, headers=headers, content_type="application/json")
    assert response.status_code == 200, response.json
    merchant.services.syncs.wait_idle()
    assert merchant.products()["794"].name == "Premium Quality"


def test_variations_each_become_a_product_of_their_parent(merchant, server):
    listing = fixture("woocommerce/docs_v3__GET_products.json")
    variations = fixture("woocommerce/docs_v3__GET_product_variations.json")
    FakeWooCommerce(server, listing, variations={799: variations})
    created = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS, options={"variants": "each"})
    row = merchant.services.connectors.get(merchant.account.account_id, created["id"])
    records = merchant.services.connectors.connector(row).fetch_page(None, None).records
    children = [record for record in records if record.group_id == "799"]
    assert len(children) == len(variations) and all(r.product_id.startswith("799-") for r in children)
    first = children[0].payload["metadata"]
    assert first["parent_id"] == "799" and first["price"] is not None and first["options"]
