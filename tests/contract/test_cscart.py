"""CS-Cart / Multi-Vendor API against a loopback server, and the signed add-on notifications."""

from __future__ import annotations

import json

from connectors.signatures import sign
from tests.platform_catalogs import cscart_products
from tests.platforms import CSCART_KEYS, FakeCsCart, fixture


def _connector(merchant, server, **options):
    created = merchant.connect("cscart", server.url_for("").rstrip("/"), CSCART_KEYS, options=options)
    row = merchant.services.connectors.get(merchant.account.account_id, created["id"])
    return created, merchant.services.connectors.connector(row)


def test_recorded_listing_maps_strings_features_and_image_pairs(merchant, server):
    listing = fixture("cscart/docs__GET_api_products_page1_ipp2.json")
    FakeCsCart(server, listing["products"])
    _, connector = _connector(merchant, server)
    records = {record.product_id: record.payload for record in connector.fetch_page(None, None).records}
    pants = records["12"]
    assert pants["metadata"]["name"] == "100g Pants"
    assert pants["metadata"]["price"] == 30.0 and pants["metadata"]["brand"] == "Adidas"
    assert pants["metadata"]["category"] == "Pants"  # category 224, named by the categories sweep
    assert pants["metadata"]["stock"] == 10 and pants["metadata"]["vendor_id"] == "1"
    assert pants["image_urls"] == ["https://example.com/images/detailed/0/173283_0113298267324f438bac97eaf.jpg"]
    assert all("/srv/" not in url for payload in records.values() for url in payload["image_urls"])


def test_variations_keyed_image_pairs_and_each_mode(merchant, server):
    FakeCsCart(server, fixture("cscart/docs__GET_api_product_variations_ipp1.json")["products"])
    _, parents_only = _connector(merchant, server)
    assert parents_only.fetch_page(None, None).records == []  # a variation belongs to its parent
    _, each = _connector(merchant, server, variants="each")
    [variation] = each.fetch_page(None, None).records
    assert variation.group_id == "249"
    assert variation.payload["image_urls"] == [
        "http://example.com/images/detailed/1/Blue_Tshirt.jpg",
        "http://example.com/images/detailed/1/Blue_Tshirt_umyg-y1.jpg",
    ]


def test_full_sync_pages_by_total_items_and_filters_one_vendor(merchant, server):
    shop = FakeCsCart(server, cscart_products(90))
    created, _ = _connector(merchant, server, page_size=25, company_id=2)
    run = merchant.sync(created["id"])
    assert (run["status"], run["seen"], run["pages"]) == ("succeeded", 45, 2)
    assert all(entry["args"].get("company_id") == "2" for entry in shop.log if "products" in entry["path"])
    assert {product.attributes["vendor_id"] for product in merchant.products().values()} == {"2"}


def test_incremental_sync_asks_for_recent_hours_newest_first(merchant, server):
    shop = FakeCsCart(server, cscart_products(10))
    created, _ = _connector(merchant, server)
    merchant.sync(created["id"])
    shop.log.clear()
    run = merchant.sync(created["id"], "incremental")
    listing = [entry["args"] for entry in shop.log if entry["path"].endswith("/products")][0]
    assert listing["sort_by"] == "updated_timestamp" and listing["sort_order"] == "desc"
    assert int(listing["updated_in_hours"]) >= 1
    assert run["status"] == "succeeded" and run["created"] == 0


def _notify(client, connector_id, event: dict, secret="cscart-hook-secret", event_id="evt-1"):
    body = json.dumps(event).encode()
    headers = {"X-Bridge-Signature": sign(secret, body), "X-Bridge-Event-Id": event_id}
    return client.post(
        f"/v1/connectors/{connector_id}/webhooks/cscart", data=body, headers=headers, content_type="application/json"
    )


def test_add_on_notification_fetches_the_product_then_delete_removes_it(merchant, server, client):
    FakeCsCart(server, cscart_products(3))
    created, _ = _connector(merchant, server)
    response = _notify(client, created["id"], {"event": "product.updated", "product_id": "101"})
    assert response.status_code == 200, response.json
    merchant.services.syncs.wait_idle()
    assert merchant.products()["101"].name == "CS-Cart product 1"
    _notify(client, created["id"], {"event": "product.deleted", "product_id": "101"}, event_id="evt-2")
    merchant.services.syncs.wait_idle()
    assert merchant.products() == {}


def test_add_on_notification_with_a_wrong_signature_gets_401(merchant, server, client):
    FakeCsCart(server, cscart_products(3))
    created, _ = _connector(merchant, server)
    response = _notify(client, created["id"], {"event": "product.updated", "product_id": "101"}, secret="guess")
    merchant.services.syncs.wait_idle()
    assert response.status_code == 401 and merchant.products() == {}
