"""The outbound guard: SSRF refusals, redirects, size and time caps, and image decoding.

Real HTTP servers on 127.0.0.1 stand in for merchants' hosts, so most tests allow private
addresses; the SSRF tests keep the default policy and fake DNS through ``resolve_host``.
"""

from __future__ import annotations

import io
import socket
import struct
import threading
import time
import warnings
import zlib
from collections.abc import Callable, Iterator
from contextlib import suppress

import pytest
import responses
from PIL import Image
from werkzeug import Request, Response

from bridge import outbound
from bridge.errors import InvalidInputError
from bridge.outbound import OutboundError, OutboundPolicy, check_url, fetch, fetch_image, load_image
from tests.conftest import free_port

LOOPBACK = OutboundPolicy(allow_private=True)
PUBLIC_IP = "93.184.216.34"


@pytest.fixture
def stalling_server() -> Iterator[Callable[[list[bytes], float], str]]:
    """A bare TCP server that sends its answer piece by piece with pauses between them.

    werkzeug writes a response's headers in one go; this is how a slow-loris host behaves.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def start(pieces: list[bytes], pause: float) -> str:
        thread = threading.Thread(target=_dribble, args=(listener, pieces, pause, stop), daemon=True)
        thread.start()
        threads.append(thread)
        return f"http://127.0.0.1:{listener.getsockname()[1]}/slow.jpg"

    yield start
    stop.set()
    for thread in threads:
        thread.join(5)
    listener.close()


def _dribble(listener: socket.socket, pieces: list[bytes], pause: float, stop: threading.Event) -> None:
    with suppress(OSError):
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            for piece in pieces:
                if stop.wait(pause):
                    return
                conn.sendall(piece)
            stop.wait(10)


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[list[str]]]) -> None:
    """Make ``resolve_host`` answer from ``answers``: successive lookups of a name take
    successive entries, the last one repeating."""
    real = outbound.resolve_host

    def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            return real(host, port)
        queue = answers[host]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    monkeypatch.setattr(outbound, "resolve_host", resolve)


def encoded(image: Image.Image, image_format: str = "PNG", **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **params)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG that declares ``width`` x ``height`` pixels: a bomb's header, without the bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def close_to(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


# --- fetching ---------------------------------------------------------------------------------


def test_fetch_returns_the_body_status_and_content_type(server):
    image = encoded(Image.new("RGB", (3, 2), "red"))
    server.expect_request("/a.png").respond_with_data(image, content_type="image/png")

    resource = fetch(server.url_for("/a.png"), LOOPBACK)

    assert (resource.status, resource.content_type, resource.body) == (200, "image/png", image)
    assert server.log[0][0].headers["User-Agent"] == "Bridge/0.1 (+image fetcher)"


def test_fetch_follows_redirects_and_reports_the_final_url(server):
    server.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new.png"})
    server.expect_request("/new.png").respond_with_data(b"pixels", content_type="image/png")

    resource = fetch(server.url_for("/old"), LOOPBACK)

    assert resource.url == server.url_for("/new.png")
    assert resource.body == b"pixels"


def test_fetch_refuses_more_redirects_than_the_policy_allows(server):
    server.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})

    with pytest.raises(OutboundError) as raised:
        fetch(server.url_for("/loop"), OutboundPolicy(allow_private=True, max_redirects=2))

    assert raised.value.reason == "redirects"
    assert raised.value.message == "image_url: more than 2 redirects"
    assert len(server.log) == 3


def test_fetch_names_the_status_and_url_of_a_non_2xx_answer(server):
    server.expect_request("/gone.jpg").respond_with_data("not here", status=404)
    url = server.url_for("/gone.jpg")

    with pytest.raises(OutboundError) as raised:
        fetch(url, LOOPBACK)

    assert raised.value.reason == "http_status"
    assert raised.value.message == f"image_url: HTTP 404 from {url}"


def test_outbound_errors_are_invalid_input_naming_the_callers_field(server):
    server.expect_request("/gone.jpg").respond_with_data("", status=410)

    with pytest.raises(InvalidInputError) as raised:
        fetch(server.url_for("/gone.jpg"), LOOPBACK, field="images[2].url")

    assert raised.value.field == "images[2].url"
    assert raised.value.message.startswith("images[2].url: HTTP 410 from ")


def test_fetch_refuses_a_declared_content_length_over_the_cap(server):
    server.expect_request("/big.jpg").respond_with_data(b"x" * 5000, content_type="image/jpeg")

    with pytest.raises(OutboundError) as raised:
        fetch(server.url_for("/big.jpg"), OutboundPolicy(allow_private=True, max_bytes=1000))

    assert raised.value.reason == "too_large"
    assert raised.value.message == "image_url: larger than 1000 bytes"


def test_fetch_stops_a_streamed_body_without_content_length_at_the_cap(server):
    sent: list[int] = []

    def endless(request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            for number in range(400):
                sent.append(number)
                yield b"x" * 64 * 1024

        return Response(chunks(), content_type="image/jpeg")

    server.expect_request("/stream.jpg").respond_with_handler(endless)

    with pytest.raises(OutboundError) as raised:
        fetch(server.url_for("/stream.jpg"), OutboundPolicy(allow_private=True, max_bytes=100_000))

    assert raised.value.reason == "too_large"
    assert len(sent) < 400  # the 25 MiB were never all sent: reading stopped near 100 kB


def test_fetch_enforces_a_total_deadline_on_a_body_that_trickles_in(server):
    def trickle(request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            for _ in range(60):  # each byte well within any per-read timeout
                time.sleep(0.05)
                yield b"x"

        return Response(chunks(), content_type="image/jpeg")

    server.expect_request("/trickle.jpg").respond_with_handler(trickle)
    started = time.monotonic()

    with pytest.raises(OutboundError) as raised:
        fetch(server.url_for("/trickle.jpg"), OutboundPolicy(allow_private=True, total_timeout=0.6))

    assert raised.value.reason == "timeout"
    assert raised.value.message == "image_url: timed out after 0.6 s"
    assert time.monotonic() - started < 1.5


def test_fetch_enforces_the_deadline_while_headers_trickle_in(stalling_server):
    pieces = [b"HTTP/1.1 200 OK\r\n"] + [b"X-Slow: %d\r\n" % n for n in range(60)]
    url = stalling_server(pieces, 0.05)
    started = time.monotonic()

    with pytest.raises(OutboundError) as raised:
        fetch(url, OutboundPolicy(allow_private=True, total_timeout=0.5))

    assert raised.value.reason == "timeout"
    assert time.monotonic() - started < 1.5


def test_fetch_times_out_when_the_server_never_answers(stalling_server):
    url = stalling_server([], 0)

    with pytest.raises(OutboundError) as raised:
        fetch(url, OutboundPolicy(allow_private=True, total_timeout=0.4))

    assert raised.value.message == "image_url: timed out after 0.4 s"


def test_fetch_reports_a_refused_connection():
    url = f"http://127.0.0.1:{free_port()}/a.jpg"

    with pytest.raises(OutboundError) as raised:
        fetch(url, LOOPBACK)

    assert raised.value.reason == "connection"
    assert raised.value.message == f"image_url: could not connect to {url}"


def test_fetch_reports_a_host_that_does_not_resolve(monkeypatch):
    def no_such_host(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(outbound, "resolve_host", no_such_host)

    with pytest.raises(OutboundError) as raised:
        fetch("http://nowhere.example/a.jpg", OutboundPolicy())

    assert raised.value.reason == "dns"
    assert "cannot resolve the host of http://nowhere.example/a.jpg" in raised.value.message


# --- SSRF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1/x.jpg", "127.0.0.1"),
        ("http://10.0.0.7/x.jpg", "10.0.0.7"),
        ("http://192.168.1.20/x.jpg", "192.168.1.20"),
        ("http://172.16.5.4/x.jpg", "172.16.5.4"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::1]/x.jpg", "::1"),
        ("http://0.0.0.0/x.jpg", "0.0.0.0"),
        ("http://[::ffff:127.0.0.1]/x.jpg", "::ffff:127.0.0.1"),
        ("http://[::ffff:a9fe:a9fe]/x.jpg", "::ffff:169.254.169.254"),
        ("http://[fe80::1]/x.jpg", "fe80::1"),
        ("http://2130706433/x.jpg", "127.0.0.1"),
        ("http://100.64.0.1/x.jpg", "100.64.0.1"),
        ("http://224.0.0.1/x.jpg", "224.0.0.1"),
        ("https://[2002:7f00:1::]/x.jpg", "2002:7f00:1::"),
    ],
)
def test_fetch_refuses_private_loopback_link_local_and_unspecified_addresses(url, address):
    with pytest.raises(OutboundError) as raised:
        fetch(url, OutboundPolicy())

    assert raised.value.reason == "private_address"
    assert raised.value.message == (
        f"image_url: {url} resolves to a private address ({address}); set BRIDGE_ALLOW_PRIVATE_URLS=on to allow it"
    )


def test_fetch_refuses_a_loopback_server_without_sending_it_a_request(server):
    server.expect_request("/x.jpg").respond_with_data(b"secret")

    with pytest.raises(OutboundError, match="private address"):
        fetch(server.url_for("/x.jpg"), OutboundPolicy())

    assert server.log == []


def test_fetch_refuses_a_name_that_resolves_to_localhost():
    with pytest.raises(OutboundError) as raised:
        fetch("http://localhost/x.jpg", OutboundPolicy())

    assert raised.value.reason == "private_address"


def test_fetch_refuses_a_host_when_any_one_of_its_addresses_is_private(monkeypatch):
    fake_dns(monkeypatch, {"mixed.example": [[PUBLIC_IP, "10.0.0.7"]]})

    with pytest.raises(OutboundError, match=r"resolves to a private address \(10\.0\.0\.7\)"):
        fetch("http://mixed.example/x.jpg", OutboundPolicy())


def test_fetch_rechecks_every_redirect_and_refuses_a_hop_to_a_private_address(monkeypatch):
    fake_dns(monkeypatch, {"shop.example": [[PUBLIC_IP]]})
    with responses.RequestsMock() as mocked:
        mocked.get("http://shop.example/a.jpg", status=302, headers={"Location": "http://127.0.0.1:8080/admin"})

        with pytest.raises(OutboundError) as raised:
            fetch("http://shop.example/a.jpg", OutboundPolicy())

        assert len(mocked.calls) == 1
    assert raised.value.reason == "private_address"
    assert raised.value.message.startswith("image_url: http://127.0.0.1:8080/admin resolves to a private address")


def test_fetch_connects_to_the_address_its_own_resolver_returned(server, monkeypatch):
    fake_dns(monkeypatch, {"pinned.example": [["127.0.0.1"]]})  # unknown to the system resolver
    server.expect_request("/a.png").respond_with_data(b"pixels")

    resource = fetch(f"http://pinned.example:{server.port}/a.png", LOOPBACK)

    assert resource.body == b"pixels"
    assert server.log[0][0].headers["Host"] == f"pinned.example:{server.port}"


def test_fetch_defeats_dns_rebinding_between_the_check_and_the_connection(server, monkeypatch):
    # The first lookup (the URL check) says public; the next (the connection) says loopback.
    fake_dns(monkeypatch, {"rebind.example": [[PUBLIC_IP], ["127.0.0.1"]]})
    server.expect_request("/a.png").respond_with_data(b"secret")

    with pytest.raises(OutboundError) as raised:
        fetch(f"http://rebind.example:{server.port}/a.png", OutboundPolicy())

    assert raised.value.reason == "private_address"
    assert "rebind.example resolves to a private address (127.0.0.1)" in raised.value.message
    assert server.log == []


@pytest.mark.parametrize(
    "url", ["ftp://shop.example/a.jpg", "file:///etc/passwd", "gopher://x/", "http:///a.jpg", "//x/a", "http://[::1"]
)
def test_fetch_refuses_anything_but_http_and_https_urls(url):
    with pytest.raises(OutboundError) as raised:
        fetch(url, OutboundPolicy())

    assert raised.value.reason == "scheme"


def test_check_url_accepts_a_host_whose_addresses_are_all_public(monkeypatch):
    fake_dns(monkeypatch, {"shop.example": [[PUBLIC_IP, "2606:4700:4700::1111"]]})

    check_url("https://shop.example/a.jpg", OutboundPolicy(), field="callback_url")


@pytest.mark.parametrize("address", [PUBLIC_IP, "2606:4700:4700::1111", "::ffff:93.184.216.34"])
def test_public_addresses_are_not_forbidden(address):
    assert not outbound.is_forbidden_address(address)


# --- images -------------------------------------------------------------------------------------


def test_fetch_image_returns_rgb_pixels_from_a_url(server):
    server.expect_request("/a.png").respond_with_data(encoded(Image.new("L", (5, 3), 200)), content_type="image/png")

    image = fetch_image(server.url_for("/a.png"), LOOPBACK)

    assert (image.mode, image.size, image.getpixel((0, 0))) == ("RGB", (5, 3), (200, 200, 200))


def test_fetch_image_refuses_an_html_page_as_not_an_image(server):
    server.expect_request("/a.jpg").respond_with_data("<html><body>Sale!</body></html>", content_type="text/html")

    with pytest.raises(OutboundError) as raised:
        fetch_image(server.url_for("/a.jpg"), LOOPBACK)

    assert raised.value.reason == "not_an_image"


def test_load_image_refuses_a_truncated_jpeg_as_bad_image():
    noise = Image.frombytes("RGB", (64, 64), bytes(range(256)) * 48)
    data = encoded(noise, "JPEG", quality=95)

    with pytest.raises(OutboundError) as raised:
        load_image(data[: len(data) // 2])

    assert raised.value.reason == "bad_image"


@pytest.mark.parametrize(
    ("width", "height"),
    [(8_000, 8_000), (10_000, 10_000), (100_000, 100_000)],  # ours, Pillow's warning, Pillow's error
)
def test_load_image_refuses_decompression_bombs_without_a_warning_escaping(width, height):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(OutboundError) as raised:
            load_image(png_header(width, height))

    assert raised.value.reason == "decompression_bomb"
    assert caught == []


def test_load_image_refuses_more_pixels_than_the_callers_limit():
    with pytest.raises(OutboundError, match="image is 20x20, more than 100 pixels"):
        load_image(encoded(Image.new("RGB", (20, 20))), max_pixels=100)


def test_load_image_applies_the_exif_orientation():
    photo = Image.new("RGB", (40, 20), (255, 0, 0))
    photo.paste((0, 0, 255), (20, 0, 40, 20))  # left half red, right half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"

    image = load_image(encoded(photo, "JPEG", exif=exif.tobytes(), quality=95))

    assert image.size == (20, 40)
    assert close_to(image.getpixel((10, 5)), (255, 0, 0))  # the left edge is now on top
    assert close_to(image.getpixel((10, 35)), (0, 0, 255))


def test_load_image_converts_a_cmyk_jpeg_to_rgb():
    image = load_image(encoded(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG", quality=95))

    assert image.mode == "RGB"
    assert close_to(image.getpixel((4, 4)), (255, 0, 0))


def test_load_image_paints_transparent_palette_pixels_white():
    palette = Image.new("P", (4, 4), 0)
    palette.putpalette([0, 0, 0, 255, 0, 0])  # index 0 is black, but transparent
    palette.putpixel((0, 0), 1)

    image = load_image(encoded(palette, "PNG", transparency=0))

    assert image.mode == "RGB"
    assert image.getpixel((0, 0)) == (255, 0, 0)
    assert image.getpixel((2, 2)) == (255, 255, 255)


def test_load_image_composites_rgba_onto_white():
    rgba = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    rgba.putpixel((0, 0), (0, 128, 0, 255))
    rgba.putpixel((1, 0), (0, 0, 0, 128))

    image = load_image(encoded(rgba))

    assert image.getpixel((0, 0)) == (0, 128, 0)
    assert close_to(image.getpixel((1, 0)), (127, 127, 127), tolerance=1)
    assert image.getpixel((3, 3)) == (255, 255, 255)


def test_load_image_scales_16_bit_grayscale_down_instead_of_clipping():
    gray = Image.new("I;16", (3, 1), 0)
    gray.putpixel((0, 0), 65535)
    gray.putpixel((1, 0), 32768)

    image = load_image(encoded(gray))

    assert image.mode == "RGB"
    assert [image.getpixel((x, 0)) for x in range(3)] == [(255, 255, 255), (128, 128, 128), (0, 0, 0)]


@pytest.mark.parametrize(
    ("mode", "color", "expected"),
    [("LA", (0, 0), (255, 255, 255)), ("1", 1, (255, 255, 255)), ("L", 70, (70, 70, 70)), ("P", 0, (0, 0, 0))],
)
def test_load_image_returns_rgb_for_every_other_mode(mode, color, expected):
    image = load_image(encoded(Image.new(mode, (2, 2), color)))

    assert (image.mode, image.getpixel((1, 1))) == ("RGB", expected)


def test_load_image_returns_the_first_frame_of_an_animated_gif():
    red, blue = Image.new("RGB", (4, 4), (255, 0, 0)), Image.new("RGB", (4, 4), (0, 0, 255))

    image = load_image(encoded(red, "GIF", save_all=True, append_images=[blue], duration=100, loop=0))

    assert image.getpixel((1, 1)) == (255, 0, 0)
