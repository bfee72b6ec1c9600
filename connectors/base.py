"""What every connector is: declared keys, canonical records, pages that refuse to loop, errors.

A connector declares its name, primary key and replication key, turns platform responses into
canonical product records (catalog payloads), and keeps pagination in a :class:`Paginator`.
Failures are classified once, here: retriable ones (429, 5xx, timeouts) get backoff, fatal
ones (other 4xx, DNS, TLS, bad configuration) fail fast with a reason a merchant can act on.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

import marshmallow as ma

from bridge.errors import AuthenticationError, BridgeError, MalformedRequestError

if TYPE_CHECKING:
    from connectors.http import PlatformHttp


class ConnectorError(BridgeError):
    """A platform could not be read; ``reason`` is a short code (``unauthorized``, ``dns`` ...)."""

    code = "connector_error"

    def __init__(self, message: str, *, reason: str, field: str | None = None):
        super().__init__(message, field=field, details={"reason": reason})
        self.reason = reason


class RetriableError(ConnectorError):
    """Worth another try after a pause: throttling, a server error, a timeout."""

    def __init__(self, message: str, *, reason: str, retry_after: float | None = None):
        super().__init__(message, reason=reason)
        self.retry_after = retry_after


class FatalError(ConnectorError):
    """Retrying cannot help until someone changes something (credentials, URL, scopes)."""


class SignatureError(AuthenticationError):
    """A webhook whose signature does not match its raw body: refused, nothing changes."""

    code = "invalid_signature"


class WebhookFormatError(MalformedRequestError):
    """A webhook without the headers or body its platform always sends."""


class PaginationLoopError(FatalError):
    def __init__(self, message: str):
        super().__init__(message, reason="pagination_loop")


@dataclass(frozen=True)
class ProductRecord:
    """One product as Bridge's catalog takes it, plus when the platform last changed it."""

    product_id: str
    payload: dict[str, Any]
    updated_at: datetime | None = None
    group_id: str = ""  # the platform's parent product id: variants of one product share it

    def __post_init__(self) -> None:
        if not self.group_id:
            object.__setattr__(self, "group_id", self.product_id)

    @property
    def content_hash(self) -> str:
        """Equal hashes mean nothing the catalog stores changed, so the upsert can be skipped."""
        canonical = json.dumps(self.payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Page:
    """One page of a listing; ``next_cursor`` resumes after it (None: this was the last)."""

    records: list[ProductRecord]
    next_cursor: str | None
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (product id, why it was not mapped)


@dataclass(frozen=True)
class WebhookEvent:
    """What a verified platform notification asks for. ``delivery_id`` dedupes redeliveries."""

    delivery_id: str | None = None
    upserts: list[ProductRecord] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)  # platform product ids (groups)
    fetch: list[str] = field(default_factory=list)  # ids to read back from the platform first
    ping: bool = False


@dataclass(frozen=True)
class Check:
    """One step of a connection test: what was tried and, when it failed, exactly why."""

    name: str
    ok: bool
    detail: str
    reason: str | None = None


@dataclass(frozen=True)
class ConnectorSettings:
    shop_url: str
    credentials: Mapping[str, Any]
    options: Mapping[str, Any]


class OptionsSchema(ma.Schema):
    """Options every platform understands; platforms add their own."""

    exclude_categories = ma.fields.List(
        ma.fields.String(), load_default=list, metadata={"description": "Category names never indexed"}
    )
    images = ma.fields.String(
        load_default="all",
        validate=ma.validate.OneOf(["all", "main"]),
        metadata={"description": "Index every product photo, or only the main one"},
    )
    variants = ma.fields.String(
        load_default="parent",
        validate=ma.validate.OneOf(["parent", "each"]),
        metadata={"description": "One product per parent, or one per variant"},
    )


class Connector(ABC):
    """A platform's catalog, read page by page, and its webhooks, verified and parsed."""

    name: ClassVar[str]
    title: ClassVar[str]
    primary_keys: ClassVar[tuple[str, ...]] = ("id",)
    replication_key: ClassVar[str]
    credentials_schema: ClassVar[type[ma.Schema]]
    options_schema: ClassVar[type[ma.Schema]] = OptionsSchema
    webhook_signature_header: ClassVar[str | None] = None

    def __init__(self, settings: ConnectorSettings, http: PlatformHttp):
        self.settings = settings
        self.http = http
        self.options = settings.options

    @abstractmethod
    def fetch_page(self, cursor: str | None, since: datetime | None) -> Page:
        """The page at ``cursor`` (None: the first); with ``since``, only products changed after it."""

    @abstractmethod
    def check(self) -> list[Check]:
        """Reach the platform the way a sync would and say what works and what does not."""

    @abstractmethod
    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Verify the signature over the raw body (raising ``SignatureError``) and parse it."""

    def fetch_products(self, product_ids: list[str]) -> list[ProductRecord]:
        """Read single products back (webhooks that carry only an id)."""
        raise FatalError(f"{self.title} webhooks carry the product; nothing to fetch.", reason="unsupported")

    def subscribe(self, webhook_url: str) -> list[str]:
        """Register Bridge's webhook URL for product changes on the platform; returns the topics
        now subscribed (ones already pointing at ``webhook_url`` count as subscribed)."""
        raise FatalError(f"{self.title} has no webhook API: install Bridge's add-on instead.", reason="unsupported")

    def excluded(self, categories: list[str]) -> bool:
        banned = {name.strip().lower() for name in self.options.get("exclude_categories") or []}
        return any(category.strip().lower() in banned for category in categories)

    def pick_images(self, urls: list[str]) -> list[str]:
        unique = [url for url in dict.fromkeys(urls) if url]
        return unique[:1] if self.options.get("images") == "main" else unique[:10]


def webhook_json(body: bytes, *, require_id: bool = True) -> dict[str, Any]:
    """A webhook's JSON object, or a 400-class error saying what is wrong with it."""
    try:
        value = json.loads(body)
    except ValueError:
        raise WebhookFormatError("The webhook body is not JSON.") from None
    if not isinstance(value, dict) or (require_id and "id" not in value):
        raise WebhookFormatError("The webhook body is not a product object.")
    return value


class Paginator:
    """Walks a listing's cursors and refuses to loop: a cursor seen twice is a platform bug that
    would otherwise page forever (and re-index the same products on every pass)."""

    def __init__(self, cursor: str | None = None, max_pages: int = 100_000):
        self.cursor = cursor
        self.pages = 0
        self._max_pages = max_pages
        self._seen: set[str | None] = {cursor}

    def advance(self, next_cursor: str | None) -> bool:
        """Move past the page just read; False when it was the last."""
        self.pages += 1
        if next_cursor is None:
            return False
        if next_cursor in self._seen:
            raise PaginationLoopError(f"The platform returned the cursor {next_cursor!r} twice; stopping.")
        if self.pages >= self._max_pages:
            raise PaginationLoopError(f"More than {self._max_pages} pages; stopping.")
        self._seen.add(next_cursor)
        self.cursor = next_cursor
        return True
