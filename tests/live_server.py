"""Start Bridge the way ``make run`` does (migrate, then gunicorn) on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from tests.conftest import DEMO_IMAGES, free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen

    def kill_hard(self) -> None:
        """SIGKILL the whole gunicorn process group, as a crash or OOM kill would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@contextmanager
def live_server(data_dir: Path, **environment: str) -> Iterator[LiveServer]:
    port = free_port()
    env = {
        **os.environ,
        "BRIDGE_HOST": "127.0.0.1",
        "BRIDGE_PORT": str(port),
        "BRIDGE_DATA_DIR": str(data_dir),
        "BRIDGE_CLIP_MODEL": "bridge-tiny",
        **environment,
    }
    migrate = [BIN / "flask", "--app", "wsgi", "bridge", "db", "upgrade"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True, capture_output=True)
    with open(data_dir / "server.log", "ab") as log:
        server = subprocess.Popen(
            [BIN / "gunicorn", "--config", "bridge/gunicorn_conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        live = LiveServer(f"http://127.0.0.1:{port}", server)
        try:
            _wait_until_healthy(live.url, server, data_dir / "server.log")
            yield live
        finally:
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=30)


def _wait_until_healthy(base_url: str, server: subprocess.Popen, log_path: Path, timeout: float = 90) -> None:
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


@contextmanager
def slow_image_server(delay: float) -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1 serving the demo photos, each after ``delay`` seconds."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = DEMO_IMAGES / self.path.rsplit("/", 1)[-1].split("?")[0]
            time.sleep(delay)  # simulates a slow shop CDN
            if not path.is_file():
                self.send_error(404)
                return
            data = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
