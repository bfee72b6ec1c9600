"""HTTP endpoints for recommendations (seed 003) and similar products (publishable keys welcome)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from bridge.http import current_principal, public_blueprint, services
from bridge.recommend.schemas import RecommendSchema, SimilarQuerySchema
from bridge.search.discovery_schemas import Seed003ProductSchema
from bridge.search.schemas import SearchResponseSchema

blp = Blueprint("recommend", __name__, url_prefix="/v1", description="Recommendations and similar products")
public_blueprint(blp)


@blp.route("/recommend")
class Recommend(MethodView):
    @blp.arguments(RecommendSchema)
    @blp.response(200, Seed003ProductSchema(many=True))
    def post(self, body):
        """Request recommendations for a section: similarity, pop or history (seed 003)"""
        return services().recommend.recommend(current_principal().account_id, body)


@blp.route("/products/<product_id>/similar")
class SimilarProducts(MethodView):
    @blp.arguments(SimilarQuerySchema, location="query")
    @blp.response(200, SearchResponseSchema)
    def get(self, query, product_id):
        """Products similar to this one, by photo and by text (the product-page carousel)"""
        return services().recommend.similar(
            current_principal().account_id, product_id, query["limit"], query["threshold"]
        )
