"""HTTP endpoints for products, bulk indexing jobs and the demo catalog."""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import send_from_directory
from flask.views import MethodView
from flask_smorest import Blueprint

from bridge.catalog.schemas import (
    DeletedSchema,
    DemoInstalledSchema,
    DuplicatePageSchema,
    IndexedSchema,
    PageQuerySchema,
    ProductInputSchema,
    ProductListQuerySchema,
    ProductPageSchema,
    ProductPatchSchema,
    ProductReplaceSchema,
    ProductSchema,
)
from bridge.catalog.service import DEMO_DIR, product_view
from bridge.http import current_principal, require_bearer_token, services

blp = Blueprint("products", __name__, url_prefix="/v1/products", description="Products in the search index")
blp.before_request(require_bearer_token)
demo_images_bp = FlaskBlueprint("demo_images", __name__, url_prefix="/demo/images")


def _indexed(outcome, message: str) -> dict:
    return {
        "status": "indexed",
        "product_id": outcome.product.product_id,
        "vector_id": outcome.product.id,
        "created": outcome.created,
        "images_embedded": outcome.images_embedded,
        "message": message,
    }


@blp.route("")
class Products(MethodView):
    @blp.arguments(ProductInputSchema)
    @blp.response(201, IndexedSchema)
    @blp.alt_response(200, schema=IndexedSchema, description="An existing product was updated")
    def post(self, body):
        """Index a product (or update it when the product_id exists)

        Downloads the images, embeds the ones whose content changed, extracts dominant
        colours and stores everything. Without any image the product is searchable by text.
        """
        outcome = services().catalog.upsert(current_principal().account_id, body)
        message = "Product image indexed successfully" if outcome.product.images else "Product indexed (text only)"
        return _indexed(outcome, message), 201 if outcome.created else 200

    @blp.arguments(ProductListQuerySchema, location="query")
    @blp.response(200, ProductPageSchema)
    def get(self, query):
        """List products, optionally of one category, page by page"""
        page = services().catalog.page(
            current_principal().account_id, query.get("category"), query["page"], query["per_page"]
        )
        return {**page, "products": [product_view(product) for product in page["products"]]}


@blp.route("/duplicates")
class Duplicates(MethodView):
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, DuplicatePageSchema)
    def get(self, query):
        """Near-duplicate products found while indexing (similarity above 0.95), newest first"""
        pairs = services().catalog.duplicates(current_principal().account_id, query["page"], query["per_page"])
        return {"duplicates": pairs, "page": query["page"], "per_page": query["per_page"]}


@blp.route("/<string:product_id>")
class ProductById(MethodView):
    @blp.response(200, ProductSchema)
    def get(self, product_id):
        """Get one product"""
        return product_view(services().catalog.get(current_principal().account_id, product_id))

    @blp.arguments(ProductReplaceSchema)
    @blp.response(200, IndexedSchema)
    def put(self, body, product_id):
        """Replace a product's images and metadata"""
        outcome = services().catalog.replace(current_principal().account_id, product_id, body)
        return _indexed(outcome, "Product replaced")

    @blp.arguments(ProductPatchSchema)
    @blp.response(200, IndexedSchema)
    def patch(self, body, product_id):
        """Change some metadata fields (null removes one) or the images"""
        outcome = services().catalog.patch(current_principal().account_id, product_id, body)
        return _indexed(outcome, "Product updated")

    @blp.response(200, DeletedSchema)
    def delete(self, product_id):
        """Delete a product from the catalog and from every index"""
        services().catalog.delete(current_principal().account_id, product_id)
        return {"status": "deleted", "product_id": product_id}


@blp.route("/demo")
class DemoProducts(MethodView):
    @blp.response(201, DemoInstalledSchema)
    def post(self):
        """Install the demo catalog (45 Luma sample products with photos served by Bridge)"""
        installed = services().catalog.install_demo(current_principal().account_id)
        return {
            "status": "installed",
            "installed": len(installed),
            "products": installed,
            "message": "Demo products indexed; try a search.",
        }


@demo_images_bp.route("/<string:name>")
def demo_image(name: str):
    return send_from_directory(DEMO_DIR / "images", name, max_age=86400)
