"""HTTP to shop platforms: through the outbound guard, with retries, backoff and exact reasons.

Every request leaves through :func:`bridge.outbound.guarded_request`, so a shop URL cannot aim
Bridge at its own network. Responses are classified here once: 429 and 5xx and timeouts are
retried with exponential backoff and jitter (``Retry-After`` wins when the platform sends it);
any other 4xx, DNS and TLS failures stop at once with a reason. ``sleep`` is injected, so tests
never wait and the backoff schedule can be asserted.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from bridge.httpretry import retry_after
from bridge.outbound import OutboundError, OutboundPolicy, guarded_request
from connectors.base import FatalError, RetriableError

log = logging.getLogger(__name__)
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([^",;]+)"?')


@dataclass(frozen=True)
class PlatformResponse:
    url: str
    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)

    def json(self) -> Any:
        """The body as JSON; HTML or nothing means the URL is not the API (a wrong base path)."""
        try:
            return json.loads(self.body)
        except ValueError:
            raise FatalError(
                f"{self.url} did not answer with JSON: check the shop URL and the API base path.",
                reason="not_json",
            ) from None


Inspect = Callable[[PlatformResponse], None]


class PlatformHttp:
    """One platform's HTTP client: retry policy, backoff and the sleep it uses."""

    def __init__(
        self,
        policy: OutboundPolicy,
        *,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        max_tries: int = 6,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
    ):
        self.policy = policy
        self.sleep = sleep
        self._jitter = jitter
        self.max_tries = max_tries
        self._base_delay = base_delay
        self._max_delay = max_delay

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        inspect: Inspect | None = None,
    ) -> PlatformResponse:
        """Send until a usable answer, a fatal one, or ``max_tries`` retriable failures.
        ``inspect`` may raise :class:`RetriableError` for throttles hidden in a 200 (GraphQL)."""
        target = f"{url}{'&' if '?' in url else '?'}{urlencode(params, doseq=True)}" if params else url
        data = json.dumps(json_body).encode() if json_body is not None else None
        send_headers = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            send_headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._once(method, target, data, send_headers)
                if inspect is not None:
                    inspect(response)
                return response
            except RetriableError as exc:
                if attempt >= self.max_tries:
                    raise RetriableError(f"{exc.message} (gave up after {attempt} tries)", reason=exc.reason) from exc
                delay = self.delay(attempt, exc.retry_after)
                log.warning("retrying %s %s in %.2f s (try %d): %s", method, _host(target), delay, attempt, exc.reason)
                self.sleep(delay)

    def get(self, url: str, **kwargs: Any) -> PlatformResponse:
        return self.request("GET", url, **kwargs)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """``Retry-After`` as given; otherwise 1, 2, 4 ... s capped, each scaled by 50-100% jitter."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self._max_delay)
        return min(self._max_delay, self._base_delay * 2 ** (attempt - 1)) * (0.5 + self._jitter() / 2)

    def _once(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> PlatformResponse:
        try:
            resource = guarded_request(method, url, self.policy, data=data, headers=headers, field="shop_url")
        except OutboundError as exc:
            raise _transport_error(exc, url) from exc
        response = PlatformResponse(resource.url, resource.status, resource.headers, resource.body)
        _raise_for_status(response)
        return response


def _transport_error(exc: OutboundError, url: str) -> RetriableError | FatalError:
    host = _host(url)
    if exc.reason == "dns":
        return FatalError(f"The shop's host name {host} does not resolve (DNS): check the shop URL.", reason="dns")
    if isinstance(exc.__cause__, requests.exceptions.SSLError):
        return FatalError(
            f"TLS with {host} failed: the certificate is invalid or the server does not speak HTTPS.", reason="tls"
        )
    message = exc.message.replace(url, url.split("?")[0])  # queries may carry signed auth parameters
    if exc.reason in ("timeout", "connection"):
        return RetriableError(f"{host}: {message.removeprefix('shop_url: ')}", reason=exc.reason)
    return FatalError(message, reason=exc.reason)


def _raise_for_status(response: PlatformResponse) -> None:
    status, where = response.status, _host(response.url)
    if 200 <= status < 300:
        return
    if status == 429:
        raise RetriableError(
            f"{where} is throttling requests (HTTP 429).",
            reason="rate_limited",
            retry_after=retry_after(response.headers),
        )
    if status >= 500:
        raise RetriableError(
            f"{where} answered HTTP {status}.", reason="server_error", retry_after=retry_after(response.headers)
        )
    if status == 401:
        raise FatalError(f"{where} refused the credentials (HTTP 401): check the key or token.", reason="unauthorized")
    if status == 403:
        raise FatalError(
            f"{where} answered HTTP 403: the credentials lack a permission (scope) for {urlsplit(response.url).path}.",
            reason="forbidden",
        )
    if status == 404:
        raise FatalError(
            f"{response.url.split('?')[0]} was not found (HTTP 404): check the shop URL and the API base path.",
            reason="not_found",
        )
    raise FatalError(f"{where} answered HTTP {status}.", reason="http_status")


def link_next(headers: Mapping[str, str]) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, verbatim (Shopify's page_info must not be edited)."""
    for url, rel in _LINK.findall(headers.get("Link", "")):
        if rel.strip() == "next":
            return url
    return None


def _host(url: str) -> str:
    return urlsplit(url).netloc or url
