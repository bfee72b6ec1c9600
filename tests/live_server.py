"""Start Bridge the way ``make run`` does (migrate, then gunicorn) on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@contextmanager
def live_server(data_dir: Path, **environment: str) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "BRIDGE_HOST": "127.0.0.1",
        "BRIDGE_PORT": str(port),
        "BRIDGE_DATA_DIR": str(data_dir),
        **environment,
    }
    subprocess.run(
        [BIN / "flask", "--app", "wsgi", "bridge", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    with open(data_dir / "server.log", "wb") as log:
        server = subprocess.Popen(
            [BIN / "gunicorn", "--config", "bridge/gunicorn_conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(base_url, server, data_dir / "server.log")
            yield base_url
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_until_healthy(base_url: str, server: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
        try:
            if requests.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.2)  # polling for start-up, not timing anything
    raise RuntimeError(f"server did not become healthy:\n{log_path.read_text()}")
