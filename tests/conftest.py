"""Shared fixtures: ``app``, ``client``, ``runner``, ``auth``, a movable clock and an SMTP sink."""

from __future__ import annotations

import email
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from pytest_httpserver import HTTPServer

from bridge import create_app

PASSWORD = "correct horse battery"


class Clock:
    """A clock tests can move forward, injected into every service."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def app_settings(data_dir: Path, **overrides) -> dict:
    """Config for a test app: its own data dir and SQLite file, cheap password hashing."""
    return {
        "DATA_DIR": str(data_dir),
        "RUN_MIGRATIONS": True,
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_COST": 8192,
        "SECRET_KEY": "test-secret-key",
        "PUBLIC_URL": "http://bridge.test",
        "CLIP_MODEL": "bridge-tiny",
        # Test image servers live on 127.0.0.1; the SSRF tests switch this off again.
        "ALLOW_PRIVATE_URLS": True,
        **overrides,
    }


@pytest.fixture
def app(tmp_path, clock):
    app = create_app(app_settings(tmp_path / "var", CLOCK=clock))
    yield app
    app.extensions["bridge"].close()


@pytest.fixture
def descriptor_app(tmp_path, monkeypatch):
    """An app whose CLIP weights cannot load (offline), so it runs on the weight-free descriptor,
    which ranks photos meaningfully where bridge-tiny's random weights cannot."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    app = create_app(app_settings(tmp_path / "var", CLIP_MODEL="ViT-B-32", CLIP_PRETRAINED="laion2b_s34b_b79k"))
    yield app
    app.extensions["bridge"].close()


@pytest.fixture
def services(app):
    return app.extensions["bridge"]


DEMO_IMAGES = Path(__file__).resolve().parent.parent / "bridge" / "catalog" / "demo" / "images"


class ImageServer:
    """Real product photos (the shipped demo set) over HTTP on 127.0.0.1."""

    def __init__(self, httpserver):
        self._server = httpserver
        self._server.expect_request(re.compile(r"^/img/.*")).respond_with_handler(self._serve)
        self.requests: list[str] = []

    def _serve(self, request):
        from werkzeug import Response

        name = request.path.removeprefix("/img/")
        self.requests.append(name)
        path = DEMO_IMAGES / name
        if not path.is_file() or path.parent != DEMO_IMAGES:
            return Response("not found", status=404, content_type="text/plain")
        return Response(path.read_bytes(), content_type="image/jpeg")

    def url(self, name: str) -> str:
        return self._server.url_for(f"/img/{name}")

    @staticmethod
    def names() -> list[str]:
        return sorted(path.name for path in DEMO_IMAGES.glob("*.jpg"))


@pytest.fixture(scope="module")
def loopback_server():
    """A threaded HTTP server on 127.0.0.1, shared by a module's tests."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(loopback_server):
    """The shared loopback server, with the previous test's expectations cleared."""
    yield loopback_server
    loopback_server.clear()


@pytest.fixture
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on 127.0.0.1."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    with open(tmp_path_factory.mktemp("chroma-log") / "chroma.log", "wb") as log:
        server = subprocess.Popen(
            [
                chroma,
                "run",
                "--path",
                str(tmp_path_factory.mktemp("chroma")),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=log,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{url}/api/v2/heartbeat", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)  # waiting for the server to listen
        yield url
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def images(httpserver) -> ImageServer:
    return ImageServer(httpserver)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def outbox_messages(app) -> list[Message]:
    outbox = Path(app.config["DATA_DIR"]) / "outbox"
    return [email.message_from_bytes(path.read_bytes()) for path in sorted(outbox.glob("*.eml"))]


def verification_token(message: Message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"/verify\?token=([\w-]+)", body).group(1)


@dataclass
class Account:
    client_name: str
    email: str
    password: str
    client_id: str
    client_secret: str
    account_id: str
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class AuthActions:
    """Registers accounts and obtains tokens through the public HTTP API."""

    def __init__(self, client, app):
        self._client = client
        self._app = app
        self._count = 0

    def register(self, email: str | None = None, password: str = PASSWORD, client_name: str = "Test Shop") -> Account:
        self._count += 1
        email = email or f"owner{self._count}@shop.test"
        response = self._client.post(
            "/register", json={"client_name": client_name, "email": email, "password": password}
        )
        assert response.status_code == 201, response.json
        body = response.json
        return Account(client_name, email, password, body["client_id"], body["client_secret"], body["account_id"])

    def verify(self, account: Account) -> None:
        mine = [m for m in outbox_messages(self._app) if m["To"] == account.email]
        response = self._client.get(f"/verify?token={verification_token(mine[-1])}")
        assert response.status_code == 200, response.json

    def client_token(self, account: Account) -> str:
        response = self._client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": account.client_id,
                "client_secret": account.client_secret,
            },
        )
        assert response.status_code == 200, response.json
        account.token = response.json["access_token"]
        return account.token

    def login_token(self, account: Account) -> str:
        response = self._client.post("/oauth/login", json={"email": account.email, "password": account.password})
        assert response.status_code == 200, response.json
        return response.json["access_token"]

    def account(self, **kwargs) -> Account:
        """A verified account holding a client-credentials token."""
        account = self.register(**kwargs)
        self.verify(account)
        self.client_token(account)
        return account


@pytest.fixture
def auth(client, app) -> AuthActions:
    return AuthActions(client, app)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpSink:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_sink():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""
    sink = SmtpSink("127.0.0.1", free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    yield sink
    controller.stop()
