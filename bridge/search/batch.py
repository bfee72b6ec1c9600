"""Batch search: up to 20 searches of any mode in one request, each succeeding or failing alone."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from bridge.errors import BridgeError
from bridge.search import schemas
from bridge.search.filters import SearchFilters
from bridge.search.service import SearchService

SCHEMAS: dict[str, type[ma.Schema]] = {
    "url": schemas.UrlSearchSchema,
    "text": schemas.TextSearchSchema,
    "fusion": schemas.FusionSearchSchema,
    "hybrid": schemas.HybridSearchSchema,
    "filtered": schemas.FilteredSearchSchema,
    "multi_image": schemas.MultiImageSearchSchema,
    "crop": schemas.CropSearchSchema,
}


def options_from(values: dict[str, Any]) -> dict[str, Any]:
    """The parameters every mode shares: limit, threshold, filters, explain."""
    return {
        "limit": values["limit"],
        "threshold": values["threshold"],
        "filters": SearchFilters.from_request(values),
        "explain": values.get("explain", False),
        "category_boost": values.get("category_boost", True),
        "shopper": shopper_from(values),
    }


def shopper_from(values: dict[str, Any]) -> dict[str, str]:
    """Seed 003's user_id, session_id and language, kept with the search log."""
    return {key: values[key] for key in ("user_id", "session_id", "language") if values.get(key)}


def run_mode(search: SearchService, account_id: str, mode: str, body: dict[str, Any]) -> dict[str, Any]:
    """One search of the given mode with an already validated body."""
    options = options_from(body)
    if mode in ("url", "filtered"):
        return search.by_image_url(account_id, body["image_url"], options)
    if mode == "text":
        return search.by_text(account_id, body["query"], options)
    if mode == "fusion":
        return search.fusion(account_id, body.get("image_url"), body.get("query"), body["image_weight"], options)
    if mode == "hybrid":
        return search.fusion(account_id, body.get("image_url"), body.get("query"), body["visual_weight"], options)
    if mode == "multi_image":
        return search.multi_image(account_id, body["image_urls"], body["aggregation"], options)
    return search.by_crop_url(account_id, body["image_url"], body["box"], options)


def run_batch(search: SearchService, account_id: str, queries: list[dict[str, Any]]) -> dict[str, Any]:
    results = [_run_one(search, account_id, index, query) for index, query in enumerate(queries)]
    failed = sum(1 for result in results if result["status"] == "error")
    return {"count": len(results), "succeeded": len(results) - failed, "failed": failed, "results": results}


def _run_one(search: SearchService, account_id: str, index: int, query: dict[str, Any]) -> dict[str, Any]:
    mode = query.get("type")
    entry: dict[str, Any] = {"index": index, "type": mode, "response": None, "error": None}
    if mode not in SCHEMAS:
        return {
            **entry,
            "status": "error",
            "error": _error("invalid_input", f"type must be one of {sorted(SCHEMAS)}.", f"queries[{index}].type"),
        }
    try:
        body = SCHEMAS[mode]().load({key: value for key, value in query.items() if key != "type"})
        return {**entry, "status": "ok", "response": run_mode(search, account_id, mode, body)}
    except ma.ValidationError as exc:
        field, messages = next(iter(exc.normalized_messages().items()))
        return {
            **entry,
            "status": "error",
            "error": _error("validation_error", f"{field}: {messages}", f"queries[{index}].{field}"),
        }
    except BridgeError as exc:
        field = f"queries[{index}].{exc.field}" if exc.field else f"queries[{index}]"
        return {**entry, "status": "error", "error": _error(exc.code, exc.message, field)}


def _error(code: str, detail: str, field: str) -> dict[str, str]:
    return {"error": code, "detail": detail, "field": field}
