"""Catalog files for shops without an API, and retrying products that failed."""

from __future__ import annotations

import io
import json

from werkzeug import Response

from tests.conftest import DEMO_IMAGES

SHOPIFY_CSV = """Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,\
Variant SKU,Variant Price,Variant Inventory Qty,Image Src,Status
wool-hat,Wool Hat,<p>Warm <b>wool</b></p>,Acme,Hats,"wool, winter",TRUE,Color,Red,HAT-R,25.00,3,,active
wool-hat,,,,,,,,Blue,HAT-B,23.00,2,,
draft-hat,Draft Hat,,Acme,Hats,,TRUE,,,,9.00,1,,draft
"""
WOO_CSV = """ID,Type,SKU,Name,Published,Short description,Description,In stock?,Stock,Regular price,\
Sale price,Categories,Tags,Images,Parent,Attribute 1 name,Attribute 1 value(s)
31,variable,TS,T-shirt,1,,<p>Cotton tee</p>,1,,20,,"Clothing > Tshirts",cotton,,,Color,"Blue, Green"
32,variation,TS-B,T-shirt - Blue,1,,,1,5,20,18,,,,id:31,Color,Blue
33,simple,MUG,Mug,1,,Ceramic mug,1,9,8,,Kitchen,,,,,
"""


def _upload(merchant, connector_id, body: bytes, file_format: str, content_type="text/csv", replace=False):
    response = merchant.client.post(
        f"/v1/connectors/{connector_id}/files?format={file_format}&replace={str(replace).lower()}",
        headers=merchant.account.headers,
        data=body,
        content_type=content_type,
    )
    assert response.status_code == 202, response.json
    merchant.services.syncs.wait_idle()
    return merchant.run(connector_id, response.json["id"])


def test_shopify_product_csv_groups_variant_rows(merchant):
    connector = merchant.connect("file", "", {})
    run = _upload(merchant, connector["id"], SHOPIFY_CSV.encode(), "shopify_csv")
    assert (run["status"], run["created"], run["failed"]) == ("succeeded", 1, 1)
    hat = merchant.products()["wool-hat"]
    assert (hat.name, hat.price, hat.brand, hat.category) == ("Wool Hat", 23.0, "Acme", "Hats")
    assert hat.attributes["tags"] == ["wool", "winter"] and hat.attributes["description"] == "Warm wool"
    [skipped] = merchant.failed_items(connector["id"])
    assert skipped["product_id"] == "draft-hat" and "draft" in skipped["reason"] and not skipped["retryable"]


def test_woocommerce_csv_folds_variations_into_their_parent(merchant):
    connector = merchant.connect("file", "", {})
    run = _upload(merchant, connector["id"], WOO_CSV.encode(), "woocommerce_csv")
    assert run["created"] == 2
    products = merchant.products()
    assert set(products) == {"31", "33"} and products["31"].category == "Tshirts"
    assert products["31"].attributes["color_name"] == "Blue"


def test_generic_csv_failures_name_the_field_and_can_be_retried(merchant, photos, server):
    connector = merchant.connect("file", "", {})
    photo = (DEMO_IMAGES / photos.names()[1]).read_bytes()
    published = {"rug": False}  # the rug's photo is not uploaded yet on the first import
    server.expect_request("/late/rug.jpg").respond_with_handler(
        lambda request: Response(photo, content_type="image/jpeg") if published["rug"] else Response("no", status=404)
    )
    rows = (
        "product_id,name,price,tags,image_url\n"
        f"a,Lamp,12.5,home|light,{photos.url(photos.names()[0])}\n"
        "b,Chair,-3,,\n"
        f"c,Rug,7,,{server.url_for('/late/rug.jpg')}\n"
        ",No id,1,,\n"
    )
    run = _upload(merchant, connector["id"], rows.encode(), "csv")
    assert (run["created"], run["failed"]) == (1, 3)
    failures = {item["product_id"]: item for item in merchant.failed_items(connector["id"])}
    assert failures["b"]["reason"].startswith("metadata.price:")
    assert "404" in failures["c"]["reason"] and failures["c"]["retryable"]
    assert failures["line 5"]["reason"] == "product_id is missing"
    lamp = merchant.products()["a"]
    assert lamp.images and lamp.attributes["tags"] == ["home", "light"]

    published["rug"] = True
    url, headers = f"/v1/connectors/{connector['id']}/failed-items/retry", merchant.account.headers
    only_chair = merchant.client.post(url, json={"product_ids": ["b"]}, headers=headers)
    merchant.services.syncs.wait_idle()
    assert merchant.run(connector["id"], only_chair.json["id"])["seen"] == 1 and "c" not in merchant.products()
    retry = merchant.client.post(url, headers=headers)
    assert retry.status_code == 202 and retry.json["mode"] == "retry"
    merchant.services.syncs.wait_idle()
    run = merchant.run(connector["id"], retry.json["id"])
    assert (run["created"], run["failed"]) == (1, 1)  # the rug now indexes; the chair's price is still bad
    assert merchant.products()["c"].images
    assert {item["product_id"] for item in merchant.failed_items(connector["id"])} == {"b", "line 5"}


def test_json_lines_import_with_replace_deletes_what_the_file_lacks(merchant):
    connector = merchant.connect("file", "", {})
    lines = [{"product_id": f"j{i}", "metadata": {"name": f"Item {i}", "price": i}} for i in range(4)]
    first = _upload(
        merchant,
        connector["id"],
        "\n".join(map(json.dumps, lines)).encode(),
        "jsonl",
        content_type="application/x-ndjson",
    )
    assert first["created"] == 4
    again = _upload(
        merchant,
        connector["id"],
        "\n".join(map(json.dumps, lines[:2])).encode() + b"\nnot json",
        "jsonl",
        content_type="application/x-ndjson",
        replace=True,
    )
    assert (again["mode"], again["unchanged"], again["deleted"], again["failed"]) == ("file_full", 2, 2, 1)
    assert set(merchant.products()) == {"j0", "j1"}


def test_multipart_upload_works_too(merchant):
    connector = merchant.connect("file", "", {})
    response = merchant.client.post(
        f"/v1/connectors/{connector['id']}/files?format=csv",
        headers=merchant.account.headers,
        data={"file": (io.BytesIO(b"product_id,name\nm1,Mat\n"), "catalog.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.json
    merchant.services.syncs.wait_idle()
    assert merchant.products()["m1"].name == "Mat"


def test_replacing_with_an_empty_file_deletes_nothing(merchant):
    connector = merchant.connect("file", "", {})
    _upload(merchant, connector["id"], b"product_id,name\nk1,Kettle\n", "csv")
    run = _upload(merchant, connector["id"], b"product_id,name\n,\n", "csv", replace=True)
    assert run["status"] == "failed" and run["error"].startswith("empty_catalog:")
    assert set(merchant.products()) == {"k1"}
