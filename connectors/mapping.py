"""Small conversions every platform mapping needs: HTML to text, prices, clean payloads."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from connectors.base import ProductRecord

_TAGS = re.compile(r"<[^>]+>")
_BLOCKS = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6])\s*/?>", re.IGNORECASE)
_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"[ \t\r\f\v]+")
MAX_DESCRIPTION = 20000
COLOR_OPTIONS = {"color", "colour"}  # option/attribute/feature names that carry a colour


def text_of(markup: str | None) -> str:
    """Readable text from a description's HTML: no tags, entities decoded, whitespace tidied."""
    if not markup:
        return ""
    text = _BLOCKS.sub("\n", _SCRIPTS.sub(" ", markup))
    text = html.unescape(_TAGS.sub(" ", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)[:MAX_DESCRIPTION]


def price_of(*values: Any) -> float | None:
    """The first value that reads as a non-negative price (platforms send strings, or "")."""
    for value in values:
        try:
            price = float(value)
        except (TypeError, ValueError):
            continue
        if price >= 0 and price == price:
            return price
    return None


def int_of(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def web_urls(urls: list[Any]) -> list[str]:
    """Only absolute http(s) URLs; protocol-relative ``//cdn...`` ones get https."""
    result = []
    for url in urls:
        if not isinstance(url, str) or not url.strip():
            continue
        url = url.strip()
        if url.startswith("//"):
            url = "https:" + url
        if url.startswith(("http://", "https://")):
            result.append(url)
    return result


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 (with or without zone; naive means UTC) or a Unix timestamp string."""
    if value in (None, "", "0"):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value), UTC)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def record(
    product_id: Any, images: list[str], metadata: dict[str, Any], updated_at: datetime | None, group_id: Any = ""
) -> ProductRecord:
    """A catalog payload with empty values left out, so equal content hashes to equal bytes."""
    kept = {key: value for key, value in metadata.items() if value not in (None, "", [], {})}
    if isinstance(kept.get("name"), str):
        kept["name"] = kept["name"][:500]
    if isinstance(kept.get("category"), str):
        kept["category"] = kept["category"][:300]
    if isinstance(kept.get("brand"), str):
        kept["brand"] = kept["brand"][:200]
    if "tags" in kept:
        kept["tags"] = [str(tag)[:100] for tag in kept["tags"]][:100]
    pid = str(product_id)
    payload = {"product_id": pid, "image_urls": images, "metadata": kept}
    return ProductRecord(pid, payload, updated_at, str(group_id or pid))
