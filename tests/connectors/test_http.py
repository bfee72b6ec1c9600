"""The platform HTTP client: what is retried, how long it waits, and what fails at once."""

from __future__ import annotations

import json
import re

import pytest
from werkzeug import Response

from bridge.outbound import OutboundPolicy
from connectors.base import FatalError, PaginationLoopError, Paginator, RetriableError
from connectors.http import PlatformHttp, link_next, retry_after
from connectors.mapping import text_of
from connectors.signatures import oauth1_signature
from tests.platform_catalogs import woo_products
from tests.platforms import WOO_KEYS, FakeWooCommerce


def _client(sleeps, **kwargs) -> PlatformHttp:
    return PlatformHttp(OutboundPolicy(allow_private=True), sleep=sleeps.append, jitter=lambda: 1.0, **kwargs)


def test_server_errors_back_off_exponentially_then_give_up(server):
    server.expect_request("/x").respond_with_response(Response("down", status=503))
    sleeps: list[float] = []
    with pytest.raises(RetriableError, match="gave up after 4 tries"):
        _client(sleeps, max_tries=4).get(server.url_for("/x"))
    assert sleeps == [1.0, 2.0, 4.0]


def test_other_client_errors_fail_at_once(server):
    server.expect_request("/x").respond_with_response(Response("gone", status=410))
    sleeps: list[float] = []
    with pytest.raises(FatalError) as raised:
        _client(sleeps).get(server.url_for("/x"))
    assert raised.value.reason == "http_status" and sleeps == []


def test_retry_after_is_read_as_seconds_or_a_date():
    assert retry_after({"Retry-After": "2.0"}) == 2.0
    assert retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past: no wait
    assert retry_after({}) is None


def test_backoff_is_capped_and_jittered():
    client = PlatformHttp(OutboundPolicy(), sleep=lambda s: None, jitter=lambda: 0.0, max_delay=10)
    assert client.delay(1, None) == 0.5 and client.delay(10, None) == 5.0 and client.delay(3, 99) == 10


def test_link_header_next_is_taken_verbatim():
    header = (
        '<https://s.myshopify.com/p.json?page_info=a%3D&limit=2>; rel="previous", '
        '<https://s/p?page_info=XY>; rel="next"'
    )
    assert link_next({"Link": header}) == "https://s/p?page_info=XY"
    assert link_next({}) is None


def test_paginator_refuses_a_repeated_cursor():
    paginator = Paginator()
    assert paginator.advance("a") and paginator.advance("b")
    with pytest.raises(PaginationLoopError):
        paginator.advance("a")


def test_descriptions_lose_their_html_but_keep_their_words():
    html = "<p>Soft&nbsp;<b>wool</b></p><script>alert(1)</script><ul><li>warm</li><li>light</li></ul>"
    assert text_of(html) == "Soft\xa0 wool\nwarm\nlight"


def test_an_html_answer_is_a_wrong_base_path(server):
    server.expect_request(re.compile("/wp.*")).respond_with_data("<html></html>", content_type="text/html")
    with pytest.raises(FatalError) as raised:
        _client([]).get(server.url_for("/wp-json/wc/v3/products")).json()
    assert raised.value.reason == "not_json"


def test_oauth1_signature_matches_the_specifications_example():
    # OAuth Core 1.0 appendix A.5 (the photos.example.net request), HMAC-SHA1 with a token secret.
    params = {
        "file": "vacation.jpg",
        "size": "original",
        "oauth_consumer_key": "dpf43f3p2l4k3l03",
        "oauth_token": "nnch734d00sl2jdk",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "1191242096",
        "oauth_nonce": "kllo9940pd9333jh",
        "oauth_version": "1.0",
    }
    signature = oauth1_signature(
        "GET", "http://photos.example.net/photos", params, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00", "HMAC-SHA1"
    )
    assert signature == "tR3+Ty81lMeYAr/Fid0kMTYa/WM="


def test_woocommerce_over_http_signs_instead_of_sending_the_secret(merchant, server):
    shop = FakeWooCommerce(server, woo_products(3))  # it refuses requests whose signature is wrong
    created = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS)
    run = merchant.sync(created["id"])
    assert run["status"] == "succeeded" and run["created"] == 3
    sent = shop.log[0]["args"]
    assert sent["oauth_signature_method"] == "HMAC-SHA256" and "cs_test" not in json.dumps(shop.log, default=str)
    forged = merchant.connect("woocommerce", server.url_for(""), {**WOO_KEYS, "consumer_secret": "cs_wrong"})
    assert merchant.sync(forged["id"])["error"].startswith("unauthorized:")
