"""A sync killed mid-way resumes after its last committed page; one stopped by an outage too."""

from __future__ import annotations

from bridge.connections.state import LEASE
from tests.platform_catalogs import woo_products
from tests.platforms import WOO_KEYS, FakeWooCommerce


class Crash(BaseException):
    """Stands in for the process dying (SIGKILL, OOM): nothing in the sync catches it."""


def _pages(shop) -> list[str]:
    return [entry["args"]["page"] for entry in shop.log]


def test_crash_mid_sync_resumes_from_the_last_committed_page(merchant, server, clock):
    shop = FakeWooCommerce(server, woo_products(500))
    connector = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS)
    catalog = merchant.services.catalog
    original, calls, indexed = catalog.prepare, [0], []

    def prepare(account_id, payloads):
        calls[0] += 1
        if calls[0] == 13:  # the first chunk of page 4 (4 chunks of 32 per page of 100)
            raise Crash()
        indexed.extend(payload["product_id"] for payload in payloads)
        return original(account_id, payloads)

    catalog.prepare = prepare
    first = merchant.sync(connector["id"])
    assert first["status"] == "running" and first["pages"] == 3 and first["seen"] == 300
    # Until its lease runs out the run may still belong to a live process (another host): 409.
    url = f"/v1/connectors/{connector['id']}/sync"
    early = merchant.client.post(url, json={"mode": "full"}, headers=merchant.account.headers)
    assert early.status_code == 409 and first["id"] in early.json["detail"]
    other_mode = merchant.client.post(url, json={"mode": "incremental"}, headers=merchant.account.headers)
    assert other_mode.status_code == 409  # nor may another kind of run overlap it
    clock.advance(LEASE.total_seconds() + 1)
    shop.log.clear()
    resumed = merchant.sync(connector["id"])
    assert resumed["id"] == first["id"] and resumed["status"] == "succeeded", resumed
    assert _pages(shop) == ["4", "5"]  # pages 1-3 were committed and are not read again
    assert (resumed["seen"], resumed["created"], resumed["pages"]) == (500, 500, 5)
    assert sorted(indexed) == sorted(str(i) for i in range(1, 501))  # every product indexed once
    assert len(merchant.products()) == 500


def test_an_outage_interrupts_the_run_and_the_next_sync_continues_it(merchant, server, sleeps):
    shop = FakeWooCommerce(server, woo_products(300))
    shop.fail_after = 2
    connector = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS)
    first = merchant.sync(connector["id"])
    assert first["status"] == "interrupted" and "gave up after 6 tries" in first["error"]
    assert first["pages"] == 2 and len(sleeps) == 5
    assert sleeps == sorted(sleeps)  # exponential backoff (with jitter) between the tries
    shop.fail_after = None
    shop.log.clear()
    resumed = merchant.sync(connector["id"])
    assert resumed["id"] == first["id"] and resumed["status"] == "succeeded"
    assert _pages(shop) == ["3"] and resumed["seen"] == 300
    runs = merchant.client.get(f"/v1/connectors/{connector['id']}/runs", headers=merchant.account.headers).json
    assert runs["total"] == 1


def test_fatal_errors_fail_the_run_with_the_reason_and_index_nothing(merchant, server):
    shop = FakeWooCommerce(server, woo_products(10))
    shop.fault(1, 401)
    connector = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS)
    run = merchant.sync(connector["id"])
    assert run["status"] == "failed" and run["error"].startswith("unauthorized:")
    assert len(shop.log) == 1 and merchant.products() == {}


def test_a_full_sync_that_lists_nothing_deletes_nothing(merchant, server):
    shop = FakeWooCommerce(server, woo_products(5))
    connector = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS)
    merchant.sync(connector["id"])
    shop.products.clear()  # e.g. a maintenance page answering an empty list
    run = merchant.sync(connector["id"])
    assert run["status"] == "failed" and run["error"].startswith("empty_catalog:")
    assert len(merchant.products()) == 5
