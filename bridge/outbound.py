"""Every outbound HTTP request Bridge makes: image URLs, bulk-job callbacks and webhooks.

Those URLs are chosen by merchants, so each request could be aimed at Bridge's own network
(server-side request forgery). The rules, in order:

* only ``http`` and ``https``;
* every address the host resolves to must be public, unless ``OutboundPolicy.allow_private``;
* the connection goes to an address that passed that check, never to a fresh DNS answer
  (see ``_GuardedConnection``), so DNS rebinding cannot slip past it;
* redirects are followed by hand, each hop checked again, at most ``max_redirects``;
* bodies are streamed and cut off at ``max_bytes``; one wall-clock deadline covers everything.

Nothing here imports Flask: services call it, and tests call it directly.
"""

from __future__ import annotations

import io
import ipaddress
import socket
import struct
import threading
import time
import warnings
from collections.abc import Mapping
from contextlib import closing, suppress
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from PIL import Image, ImageOps, UnidentifiedImageError
from requests.adapters import HTTPAdapter
from requests.utils import requote_uri
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.connection import create_connection

from bridge.errors import InvalidInputError

# Formats product photos come in. Narrower than Pillow's list on purpose: EPS shells out to
# Ghostscript, and every rarely-used decoder is attack surface.
IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF", "BMP", "TIFF")
_ALLOW_HINT = "set BRIDGE_ALLOW_PRIVATE_URLS=on to allow it"
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)


@dataclass(frozen=True)
class OutboundPolicy:
    """Limits for outbound requests; the container builds one from ``BRIDGE_*`` settings."""

    allow_private: bool = False
    max_bytes: int = 20 * 1024 * 1024
    connect_timeout: float = 5
    total_timeout: float = 20
    max_redirects: int = 5
    user_agent: str = "Bridge/0.1 (+image fetcher)"


class OutboundError(InvalidInputError):
    """A URL the client gave us cannot be fetched or called; ``reason`` is a one-word code."""

    def __init__(self, message: str, *, reason: str, field: str):
        super().__init__(message, field=field, details={"reason": reason})
        self.reason = reason


@dataclass(frozen=True)
class FetchedResource:
    """The final response of an exchange. ``body`` is empty unless the status was 2xx."""

    url: str
    status: int
    content_type: str
    body: bytes
    headers: Mapping[str, str] = dataclass_field(default_factory=dict, repr=False)


def _error(field: str, reason: str, text: str) -> OutboundError:
    return OutboundError(f"{field}: {text}", reason=reason, field=field)


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in resolver order. Tests replace it to fake DNS."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_forbidden_address(address: str) -> bool:
    """True for anything but a public unicast address, looking inside IPv4-mapped/6to4 IPv6."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None and is_forbidden_address(str(embedded)):
            return True
        if ip.ipv4_mapped is not None:
            return False
    flags = ("is_private", "is_loopback", "is_link_local", "is_multicast", "is_reserved", "is_unspecified")
    return not ip.is_global or any(getattr(ip, flag) for flag in flags)


def _checked_addresses(host: str, port: int, target: str, policy: OutboundPolicy, field: str) -> list[str]:
    """Resolve ``host`` and refuse it if any answer is private (a single bad record is enough)."""
    try:
        addresses = resolve_host(host, port)
    except (OSError, UnicodeError) as exc:
        raise _error(field, "dns", f"cannot resolve the host of {target} ({exc})") from exc
    if not policy.allow_private:
        for address in addresses:
            if is_forbidden_address(address):
                raise _error(
                    field,
                    "private_address",
                    f"{target} resolves to a private address ({address}); {_ALLOW_HINT}",
                )
    return addresses


def check_url(url: str, policy: OutboundPolicy, *, field: str = "image_url") -> None:
    """Refuse ``url`` unless it is http(s) and its host is acceptable under ``policy``.

    Call it when a URL is accepted (a bad callback URL should fail the request that names it);
    ``guarded_request`` calls it again before every hop.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise _error(field, "scheme", f"{url} is not a valid URL ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _error(field, "scheme", f"{url} is not an http or https URL")
    if not policy.allow_private:
        _checked_addresses(parts.hostname, port, url, policy, field)


class _Deadline:
    """One wall-clock limit for a whole exchange: connects, TLS, headers, body and redirects.

    Socket timeouts bound each read, so a server trickling a byte a second never trips them.
    A timer thread therefore shuts down every socket the exchange opened once time is up: the
    blocked read returns at once and ``expired()`` tells the caller why. ``cancel()`` takes the
    lock, so no shutdown can touch a socket after the exchange has released it.
    """

    def __init__(self, seconds: float):
        self._ends = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(self._ends - time.monotonic(), 0.0)

    def expired(self) -> bool:
        return self.remaining() <= 0

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            for sock in self._sockets:
                # socket.socket's own shutdown leaves an SSLSocket's TLS state alone; OSError
                # means the socket is closed already, or was detached by the TLS wrapper.
                with suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        with self._lock:
            self._timer.cancel()
            self._sockets.clear()


class _Exchange:
    """One request and its redirects: the policy, the deadline and the sockets they govern."""

    def __init__(self, policy: OutboundPolicy, field: str, session: requests.Session | None, read_body: bool):
        self.policy, self.field, self._session, self._read_body = policy, field, session, read_body
        self.deadline = _Deadline(policy.total_timeout)
        self._adapter = _GuardedAdapter(self)

    def run(self, request: requests.Request) -> FetchedResource:
        try:
            for _ in range(self.policy.max_redirects + 1):
                check_url(request.url, self.policy, field=self.field)
                resource, target = self._hop(request)
                if target is None:
                    return resource
                request = requests.Request(request.method, target, data=request.data, headers=request.headers)
            raise _error(self.field, "redirects", f"more than {self.policy.max_redirects} redirects")
        finally:
            self.deadline.cancel()  # first, so the watchdog never touches a socket being closed
            self._adapter.close()

    def connect(self, host: str, port: int, source_address: Any, socket_options: Any) -> socket.socket:
        """Resolve, check and connect in one step, to the very addresses that were checked."""
        addresses = _checked_addresses(host, port, host, self.policy, self.field)
        timeout = max(min(self.policy.connect_timeout, self.deadline.remaining()), 0.001)
        error = OSError(f"no address for {host}")
        for address in addresses:
            try:
                sock = create_connection((address, port), timeout, source_address, socket_options)
            except OSError as exc:
                error = exc
                continue
            self.deadline.watch(sock)
            return sock
        raise error

    def _hop(self, request: requests.Request) -> tuple[FetchedResource, str | None]:
        """Send one request; return its response and where it redirects to, if anywhere."""
        prepared = self._session.prepare_request(request) if self._session else request.prepare()
        remaining = max(self.deadline.remaining(), 0.001)
        timeout = (min(self.policy.connect_timeout, remaining), remaining)
        try:
            with closing(self._adapter.send(prepared, stream=True, timeout=timeout, proxies={})) as response:
                target = _redirect_target(response, request.method)
                wanted = self._read_body and target is None and 200 <= response.status_code < 300
                body = _read_capped(response, self.policy.max_bytes, self.field) if wanted else b""
        except (requests.RequestException, Urllib3Error, OSError) as exc:
            raise self._transport_error(exc, request.url) from exc
        if self.deadline.expired():  # the watchdog may have cut a body that had no Content-Length
            raise _error(self.field, "timeout", f"timed out after {self.policy.total_timeout:g} s")
        content_type = response.headers.get("Content-Type", "")
        resource = FetchedResource(response.url, response.status_code, content_type, body, response.headers)
        return resource, target

    def _transport_error(self, exc: Exception, url: str) -> OutboundError:
        if self.deadline.expired() or isinstance(exc, requests.ReadTimeout):
            return _error(self.field, "timeout", f"timed out after {self.policy.total_timeout:g} s")
        if isinstance(exc, requests.ConnectTimeout):
            seconds = f"{self.policy.connect_timeout:g} s"
            return _error(self.field, "timeout", f"could not connect to {url} within {seconds}")
        if isinstance(exc, requests.exceptions.SSLError):
            return _error(self.field, "connection", f"TLS with {url} failed (certificate or handshake)")
        if isinstance(exc, requests.ConnectionError):
            return _error(self.field, "connection", f"could not connect to {url}")
        return _error(self.field, "connection", f"broken response from {url} ({type(exc).__name__})")


class _GuardedConnection(HTTPConnection):
    """urllib3's HTTP connection, opening its socket through ``_Exchange.connect``.

    Why here: checking a name and then letting the HTTP stack look it up again leaves a gap a
    rebinding DNS server exploits (a public answer for the check, 127.0.0.1 for the connect).
    urllib3 opens sockets only in ``_new_conn``, so resolving, checking and connecting there
    leaves no second lookup, for every hop and every retry. TLS is unaffected: the certificate
    is still verified against the hostname, which urllib3 passes separately as SNI.
    """

    exchange: _Exchange  # bound per exchange by _pool_classes

    def _new_conn(self) -> socket.socket:
        try:
            return self.exchange.connect(self.host.strip("[]"), self.port, self.source_address, self.socket_options)
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc

    def connect(self) -> None:
        super().connect()
        self.exchange.deadline.watch(self.sock)  # the TLS-wrapped socket replaces the raw one


class _GuardedHTTPSConnection(_GuardedConnection, HTTPSConnection):
    pass


def _pool_classes(exchange: _Exchange) -> dict[str, type[HTTPConnectionPool]]:
    """Pool classes whose connections know their exchange (urllib3 offers no other hook)."""
    http = type("GuardedHTTPConnection", (_GuardedConnection,), {"exchange": exchange})
    https = type("GuardedHTTPSConnection", (_GuardedHTTPSConnection,), {"exchange": exchange})
    return {
        "http": type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
        "https": type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
    }


class _GuardedAdapter(HTTPAdapter):
    """A requests adapter, one per exchange, whose every connection goes through the guard."""

    def __init__(self, exchange: _Exchange):
        self._exchange = exchange  # before super().__init__, which calls init_poolmanager
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self._exchange)


def guarded_request(
    method: str,
    url: str,
    policy: OutboundPolicy,
    *,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    field: str = "image_url",
    session: requests.Session | None = None,
    read_body: bool = True,
) -> FetchedResource:
    """One HTTP exchange under every rule in the module docstring; the single way out of Bridge.

    Any status comes back (callers decide what a 404 or 503 means); only a 2xx body is read,
    and only when ``read_body``. ``session`` lends default headers and cookies; its adapters are
    never used, and environment proxies are ignored, so nothing can bypass the guard.
    """
    base_headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "identity"}
    request = requests.Request(method.upper(), url, data=data, headers={**base_headers, **(headers or {})})
    return _Exchange(policy, field, session, read_body).run(request)


def _redirect_target(response: requests.Response, method: str) -> str | None:
    """Where to go next, if anywhere. Only GET and HEAD follow 301/302/303; other methods follow
    307/308 alone, which keep the method and body: a webhook turned into a GET is not a delivery."""
    if not response.is_redirect:
        return None
    if method not in ("GET", "HEAD") and response.status_code not in (307, 308):
        return None
    return requote_uri(urljoin(response.url, response.headers["Location"]))


def _read_capped(response: requests.Response, max_bytes: int, field: str) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _error(field, "too_large", f"larger than {max_bytes} bytes")
    body = bytearray()
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > max_bytes:
            raise _error(field, "too_large", f"larger than {max_bytes} bytes")
    return bytes(body)


def fetch(
    url: str, policy: OutboundPolicy, *, field: str = "image_url", session: requests.Session | None = None
) -> FetchedResource:
    """GET ``url`` under the guard; anything but a 2xx is an error naming the status."""
    resource = guarded_request("GET", url, policy, headers={"Accept": "image/*"}, field=field, session=session)
    if not 200 <= resource.status < 300:
        raise _error(field, "http_status", f"HTTP {resource.status} from {resource.url}")
    return resource


def load_image(data: bytes, *, field: str = "image_url", max_pixels: int = 40_000_000) -> Image.Image:
    """Decode untrusted bytes into an upright RGB image, or raise ``OutboundError``.

    Pillow's own bomb check only warns below twice its global limit, so the size is checked
    here, before any pixel is decoded. The warning is turned into an error for the duration:
    ``catch_warnings`` swaps a process-wide list, so two threads can at worst leave that one
    "error" filter installed, which only makes Pillow stricter.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _decode(data, field, max_pixels)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _error(field, "decompression_bomb", f"image has more than {max_pixels} pixels") from exc
    except UnidentifiedImageError as exc:
        raise _error(field, "not_an_image", "the data is not an image in a supported format") from exc
    except _DECODE_ERRORS as exc:
        raise _error(field, "bad_image", f"the image is damaged or truncated ({exc})") from exc


def _decode(data: bytes, field: str, max_pixels: int) -> Image.Image:
    formats = _supported_formats()
    with Image.open(io.BytesIO(data), formats=formats) as probe:
        if probe.width * probe.height > max_pixels:
            size = f"{probe.width}x{probe.height}"
            raise _error(field, "decompression_bomb", f"image is {size}, more than {max_pixels} pixels")
        probe.verify()
    image = Image.open(io.BytesIO(data), formats=formats)  # verify() leaves its image unusable
    image.load()  # decodes the first frame only, which is what an animated GIF should give
    return _to_rgb(ImageOps.exif_transpose(image))


def _supported_formats() -> tuple[str, ...]:
    Image.init()  # cheap after the first call; AVIF is absent from some Pillow builds
    return tuple(name for name in IMAGE_FORMATS if name in Image.OPEN)


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any mode to RGB. Transparency becomes white, as product photos sit on white pages."""
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        # Pillow clips 16-bit values to 255 when converting to L, so scale them down first.
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("RGB")
    if "transparency" in image.info or image.mode in ("RGBA", "RGBa", "LA", "La", "PA"):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def fetch_image(
    url: str, policy: OutboundPolicy, *, field: str = "image_url", session: requests.Session | None = None
) -> Image.Image:
    """Fetch ``url`` and decode it, for callers that want pixels rather than bytes."""
    return load_image(fetch(url, policy, field=field, session=session).body, field=field)
