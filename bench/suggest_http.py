"""Search-as-you-type over HTTP at 100k products, as a storefront widget calls it.

Fills a catalogue of synthetic products (names built like bench/suggest.py's) straight into
SQL, starts Bridge the way ``make run`` does (gunicorn, gthread), and times
``GET /v1/search/suggest`` with a publishable key and an allowed ``Origin`` (the widget's
call), next to the same call with a bearer token, the HTTP floor (``GET /healthz`` on the same
server) and the in-process lookup for the same prefixes. DESIGN's target: p50 ≤ 10 ms, p99 ≤ 30 ms.

    .venv/bin/python bench/suggest_http.py [--products 100000] [--prefixes 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent))
from suggest import ACCENTED, COLOURS, NOUNS, made_up_words, product_name, row, timed, typed_prefix  # noqa: E402

from bridge import create_app  # noqa: E402
from bridge.catalog.models import Product  # noqa: E402
from bridge.search.models import SearchLog  # noqa: E402
from bridge.search.suggest import SuggestEntry  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ORIGIN = "https://shop.example.com"
SECRET = "bench-secret-key"


def fill_catalogue(services, account_id: str, products: int, seed: int) -> list[SuggestEntry]:
    """Products with names, brands and categories, plus shoppers' past queries, in SQL."""
    rng = random.Random(seed)
    brands = made_up_words(rng, 400, (2, 3)) + ACCENTED
    lines = made_up_words(rng, products // 4, (2, 4))
    rows, entries = [], []
    for number in range(products):
        brand = rng.choice(brands)
        name = product_name(rng, brand, lines)
        category = name.split(" - ")[0].split(" ")[-1] + "s"
        metadata = {"name": name, "brand": brand, "category": category, "price": round(rng.uniform(5, 300), 2)}
        rows.append(
            {
                "account_id": account_id,
                "product_id": f"p{number}",
                "attributes": metadata,
                "name": name,
                "brand": brand,
                "category": category,
                "price": metadata["price"],
            }
        )
        entries.append(SuggestEntry(name, "product", 1.0, (f"p{number}",)))
    queries = [f"{rng.choice(COLOURS)} {rng.choice(NOUNS)}" for _ in range(products // 20)]
    with services.db.transaction() as session:
        session.execute(insert(Product), rows)
        session.execute(
            insert(SearchLog),
            [
                {
                    "id": f"q{i}",
                    "account_id": account_id,
                    "mode": "text",
                    "query_text": q,
                    "result_count": 3,
                    "took_ms": 1.0,
                }
                for i, q in enumerate(queries)
            ],
        )
    return entries


def prepare(data_dir: Path, products: int, seed: int) -> tuple[str, str, list[SuggestEntry]]:
    """(public key, bearer token, entries) for a fresh account holding the catalogue."""
    app = create_app(
        {"DATA_DIR": str(data_dir), "RUN_MIGRATIONS": True, "SECRET_KEY": SECRET, "CLIP_MODEL": "bridge-tiny"}
    )
    services = app.extensions["bridge"]
    created = services.accounts.register("Bench shop", "bench@shop.example.com", "correct horse battery", verified=True)
    account = created.account
    key = services.public_keys.create(account.id, "bench", [ORIGIN], 1_000_000)["key"]
    token = services.accounts.token_for_client(account.client_id, created.client_secret).access_token
    began = time.perf_counter()
    entries = fill_catalogue(services, account.id, products, seed)
    print(f"{products} products written to SQL in {time.perf_counter() - began:.1f} s")
    services.close()
    return key, token, entries


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = 18000 + os.getpid() % 1000
    env = {
        **os.environ,
        "BRIDGE_DATA_DIR": str(data_dir),
        "BRIDGE_PORT": str(port),
        "BRIDGE_SECRET_KEY": SECRET,
        "BRIDGE_CLIP_MODEL": "bridge-tiny",
        "HF_HUB_OFFLINE": "1",
        "BRIDGE_SCHEDULER": "off",
    }
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        [
            Path(sys.executable).parent / "gunicorn",
            "--config",
            "bridge/gunicorn_conf.py",
            "--access-logfile",
            "/dev/null",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return server, url
        except requests.RequestException:
            time.sleep(0.3)  # still starting
    server.kill()
    raise SystemExit(f"Bridge did not start; see {data_dir / 'server.log'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--prefixes", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        key, token, entries = prepare(data_dir, args.products, args.seed)
        rng = random.Random(args.seed + 1)
        prefixes = [typed_prefix(rng, entries)[0] for _ in range(args.prefixes)]
        server, url = start_server(data_dir)
        try:
            report(url, key, token, prefixes, data_dir)
        finally:
            server.terminate()
            server.wait(timeout=30)


def report(url: str, key: str, token: str, prefixes: list[str], data_dir: Path) -> None:
    http = requests.Session()
    widget = {"Origin": ORIGIN}  # and the key in the query string, as bridge.js sends it
    bearer = {"Authorization": f"Bearer {token}"}

    def suggest(headers: dict[str, str]) -> Callable[[str], object]:
        key_param = {} if "Authorization" in headers else {"public_key": key}

        def call(prefix: str) -> object:
            response = http.get(
                f"{url}/v1/search/suggest", params={"q": prefix, "limit": 6, **key_param}, headers=headers
            )
            assert response.status_code == 200, response.text
            return response

        return call

    began = time.perf_counter()
    suggest(widget)("a")  # the first call builds the account's index
    print(f"first call (builds the index): {(time.perf_counter() - began) * 1000:.0f} ms")
    timed(suggest(widget), prefixes[:200])  # warm up
    in_process = create_app({"DATA_DIR": str(data_dir), "SECRET_KEY": SECRET, "CLIP_MODEL": "bridge-tiny"})
    services = in_process.extensions["bridge"]
    account_id = services.public_keys.authenticate(key, None).account_id
    services.autocomplete.suggest(account_id, "a", 6)
    print(f"\n{'call':<34} {'calls':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    print(row("HTTP floor (GET /healthz)", timed(lambda _: http.get(f"{url}/healthz"), prefixes)))
    print(
        row(
            "in process (autocomplete service)",
            timed(lambda p: services.autocomplete.suggest(account_id, p, 6), prefixes),
        )
    )
    print(row("HTTP, bearer token", timed(suggest(bearer), prefixes)))
    print(row("HTTP, widget (pk_ key + Origin)", timed(suggest(widget), prefixes)))
    print("\nDESIGN target over HTTP: p50 <= 10 ms, p99 <= 30 ms")
    services.close()


if __name__ == "__main__":
    main()
