"""Shopify's GraphQL Admin API: the product query, its cost throttle, and its node shape.

Nodes are turned into the REST product shape because that is what webhooks deliver, so one
mapping in :mod:`connectors.shopify` serves every way a product arrives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import RetriableError
from connectors.http import PlatformResponse

VARIANT_FIELDS = """
fragment VariantFields on ProductVariant {
  legacyResourceId title sku price compareAtPrice inventoryQuantity selectedOptions { name value } image { url }
}"""
PRODUCTS_QUERY = (
    """
query Products($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id legacyResourceId handle title descriptionHtml vendor productType tags status updatedAt onlineStoreUrl
      options { name values }
      media(first: 10) { nodes { ... on MediaImage { id image { url } } } }
      variants(first: 100) { pageInfo { hasNextPage endCursor } nodes { ...VariantFields } }
    }
  }
}"""
    + VARIANT_FIELDS
)
# A product with more than 100 variants: the rest, page by page (connections nest their own cursors).
VARIANTS_QUERY = (
    """
query Variants($id: ID!, $after: String) {
  product(id: $id) {
    variants(first: 250, after: $after) { pageInfo { hasNextPage endCursor } nodes { ...VariantFields } }
  }
}"""
    + VARIANT_FIELDS
)

SUBSCRIBE_MUTATION = """
mutation Subscribe($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri, format: JSON}) {
    webhookSubscription { id }
    userErrors { field message }
  }
}"""
WEBHOOK_TOPICS = ("PRODUCTS_CREATE", "PRODUCTS_UPDATE", "PRODUCTS_DELETE")


def refill_wait(body: Mapping[str, Any]) -> float:
    """Seconds until the cost bucket holds another query of the same cost: read from each
    response's ``extensions.cost``, never assumed (plans and years differ)."""
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    needed = (cost.get("requestedQueryCost") or 0) - (status.get("currentlyAvailable") or 0)
    return max(needed, 0) / status["restoreRate"] if status.get("restoreRate") else 0.0


def graphql_throttle(response: PlatformResponse) -> None:
    """A THROTTLED answer (as 200 or 429) waits until the bucket refills enough for the query."""
    body = response.json()
    codes = {(error.get("extensions") or {}).get("code") for error in body.get("errors") or []}
    if "THROTTLED" in codes:
        wait = refill_wait(body) or None
        raise RetriableError("Shopify GraphQL cost limit reached (THROTTLED).", reason="rate_limited", retry_after=wait)


def rest_shape(node: Mapping[str, Any]) -> dict[str, Any]:
    """A GraphQL product node in the REST shape the mapping (and webhooks) use."""
    media = [m for m in (node.get("media") or {}).get("nodes") or [] if m.get("image")]
    return {
        "id": int(node["legacyResourceId"]),
        "title": node.get("title"),
        "body_html": node.get("descriptionHtml"),
        "vendor": node.get("vendor"),
        "product_type": node.get("productType"),
        "tags": node.get("tags") or [],
        "handle": node.get("handle"),
        "status": (node.get("status") or "").lower() or None,
        "updated_at": node.get("updatedAt"),
        "online_store_url": node.get("onlineStoreUrl"),
        "options": node.get("options") or [],
        "images": [{"src": m["image"]["url"], "position": i} for i, m in enumerate(media)],
        "variants": [
            {
                "id": int(v["legacyResourceId"]),
                "title": v.get("title"),
                "sku": v.get("sku"),
                "price": v.get("price"),
                "compare_at_price": v.get("compareAtPrice"),
                "inventory_quantity": v.get("inventoryQuantity"),
                "selected_options": v.get("selectedOptions") or [],
                "image_src": (v.get("image") or {}).get("url"),
            }
            for v in (node.get("variants") or {}).get("nodes") or []
        ],
    }
