"""Generated catalogs of any size, in each platform's own listing shape (see tests/platforms.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)  # product N was last modified N minutes after this


def woo_products(count: int, image: Callable[[int], str | None] = lambda i: None, start: int = 1) -> list[dict]:
    return [
        {
            "id": start + i,
            "name": f"Woo product {start + i}",
            "type": "simple",
            "status": "publish",
            "permalink": f"https://woo.example/p/{start + i}",
            "description": f"<p>Cotton <b>shirt</b> number {start + i}</p>",
            "price": f"{10 + i % 50}.50",
            "regular_price": f"{10 + i % 50}.50",
            "stock_status": "instock",
            "stock_quantity": i % 7,
            "categories": [{"id": 9, "name": "Clothing", "slug": "clothing"}],
            "tags": [{"id": 1, "name": "cotton", "slug": "cotton"}],
            "images": [{"id": i, "src": image(i)}] if image(i) else [],
            "attributes": [{"id": 1, "name": "Color", "options": ["Blue"]}],
            "date_modified_gmt": (EPOCH + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%S"),
        }
        for i in range(count)
    ]


def shopify_products(count: int, image: Callable[[int], str | None] = lambda i: None) -> list[dict]:
    return [
        {
            "id": 1000 + i,
            "title": f"Shopify product {i}",
            "body_html": "<p>Soft <em>wool</em> hat</p>",
            "vendor": "Acme",
            "product_type": "Hats",
            "handle": f"hat-{i}",
            "status": "active",
            "tags": "wool, winter",
            "updated_at": (EPOCH + timedelta(minutes=i)).isoformat(),
            "options": [{"name": "Color", "values": ["Red"]}],
            "images": [{"id": 1, "src": image(i), "position": 1}] if image(i) else [],
            "variants": [
                {
                    "id": 5000 + i,
                    "title": "Red",
                    "price": f"{20 + i % 9}.00",
                    "sku": f"HAT-{i}",
                    "inventory_quantity": 3,
                    "option1": "Red",
                }
            ],
        }
        for i in range(count)
    ]


def cscart_products(count: int, image: Callable[[int], str | None] = lambda i: None) -> list[dict]:
    now = int(datetime.now(UTC).timestamp())
    return [
        {
            "product_id": str(100 + i),
            "product": f"CS-Cart product {i}",
            "product_code": f"CS{i:05d}",
            "status": "A",
            "company_id": str(1 + i % 2),
            "price": f"{30 + i % 11}.000000",
            "amount": "5",
            "timestamp": str(now - 86400 * 30 + i),
            "updated_timestamp": str(now - 86400 * 10 + i),
            "category_ids": [224],
            "main_category": 224,
            "parent_product_id": "0",
            "main_pair": {"detailed": {"image_path": image(i)}} if image(i) else [],
            "image_pairs": [],
            "product_features": [],
        }
        for i in range(count)
    ]
