"""Browser tests: Bridge on a real loopback server, shop pages on other origins, Debian's Chromium.

Bridge runs on the weight-free visual descriptor (CLIP weights cannot load offline), so photo
searches rank meaningfully; shop pages are served by a second HTTP server, on origins that
the publishable key does or does not allow.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from werkzeug.serving import make_server

from bridge import create_app
from tests.conftest import PASSWORD, AuthActions, app_settings, free_port

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SHOP_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title>
<style>body{{font:16px serif;margin:20px}} div,span,button,input{{all:revert}} *{{color:#a00 !important}}</style></head>
<body>
<form id="search" action="#">
  <input name="q" data-bridge-search aria-label="Search"><span data-bridge-visual-search></span>
</form>
<div data-bridge-product="{product}"><h1>Product page</h1></div>
<div id="home" data-bridge-carousel="home"></div>
<div id="similar" data-bridge-carousel="product"></div>
<script>
  window.submitted = [];
  document.getElementById("search").addEventListener("submit", (e) => {{
    e.preventDefault();
    window.submitted.push(e.target.q.value);
  }});
  document.addEventListener("bridge:error", (e) => {{ window.bridgeError = e.detail.message; }});
</script>
<script src="{bridge}/widgets/v1/bridge.js" data-key="{key}" async></script>
</body></html>"""

# A theme that knows nothing of Bridge: the widgets find their places through the website settings.
PLAIN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Plain shop</title></head>
<body><header><span id="logo">Plain shop</span> <input id="find" aria-label="Find"></header>
<section id="welcome"><h1>Welcome</h1></section>
<script src="{bridge}/widgets/v1/bridge.js" data-key="{key}" async></script>
</body></html>"""


@dataclass
class Storefront:
    """A running Bridge, its app (to look at what arrived), a verified shop and its public key."""

    url: str
    app: object
    account_id: str
    token: str
    key: str
    shop_origin: str
    other_origin: str

    def shop_url(self, product: str = "wj01-blue", origin: str | None = None) -> str:
        return f"{origin or self.shop_origin}/shop?product={product}"

    @property
    def plain_url(self) -> str:
        return f"{self.shop_origin}/plain"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class _ShopHandler(BaseHTTPRequestHandler):
    bridge_url = ""
    key = ""

    def do_GET(self):  # the shop's own page, naming the product it shows
        product = self.path.partition("product=")[2] or "wj01-blue"
        page = PLAIN_PAGE if self.path.startswith("/plain") else SHOP_PAGE
        body = page.format(bridge=self.bridge_url, key=self.key, product=product).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep test output quiet
        pass


def _serve_in_thread(server) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is needed for browser tests: apt-get install -y chromium (make test does it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def storefront(tmp_path_factory) -> Iterator[Storefront]:
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(
        app_settings(
            tmp_path_factory.mktemp("bridge") / "var",
            PUBLIC_URL=url,
            CLIP_MODEL="ViT-B-32",
            CLIP_PRETRAINED="laion2b_s34b_b79k",
        )
    )
    bridge = make_server("127.0.0.1", port, app, threaded=True)
    _serve_in_thread(bridge)
    auth = AuthActions(app.test_client(), app)
    account = auth.account(password=PASSWORD)
    client = app.test_client()
    assert client.post("/v1/products/demo", headers=account.headers).status_code == 201
    shop, other = (ThreadingHTTPServer(("127.0.0.1", 0), _ShopHandler) for _ in range(2))
    shop_origin, other_origin = (f"http://127.0.0.1:{server.server_address[1]}" for server in (shop, other))
    created = client.post(
        "/v1/widget-keys",
        json={"name": "Shop", "allowed_origins": [shop_origin, url], "rate_limit_per_minute": 10_000},
        headers=account.headers,
    ).json
    _ShopHandler.bridge_url, _ShopHandler.key = url, created["key"]
    for server in (shop, other):
        _serve_in_thread(server)
    yield Storefront(url, app, account.account_id, account.token, created["key"], shop_origin, other_origin)
    for server in (shop, other, bridge):
        server.shutdown()
        server.server_close()
    app.extensions["bridge"].close()
    monkeypatch.undo()


@pytest.fixture
def page(browser, storefront):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(message.text))
    yield page
    context.close()


DEMO_PHOTOS = Path(__file__).resolve().parents[2] / "bridge" / "catalog" / "demo" / "images"
# A browser that closes its page while a product photo is still downloading leaves werkzeug's
# file wrapper to the garbage collector, which then warns in whichever test runs next.
UNCLOSED_PHOTO_WARNING = "ignore:Exception ignored in. <_io.FileIO:pytest.PytestUnraisableExceptionWarning"
