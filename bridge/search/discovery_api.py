"""HTTP endpoints of seed 003's visual search and visual recommend."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from bridge.http import current_principal, public_blueprint, services
from bridge.search.discovery_schemas import (
    DetectionsSchema,
    Seed003ProductSchema,
    VisualRecommendSchema,
    VisualSearchSchema,
)

blp = Blueprint("visual", __name__, url_prefix="/v1/visual", description="Products in a photo (seed 003)")
public_blueprint(blp)


@blp.route("/search")
class VisualSearch(MethodView):
    @blp.arguments(VisualSearchSchema)
    @blp.response(200, DetectionsSchema)
    def post(self, body):
        """Find the products in a photo: regions with class, confidence and embedding

        The whole photo is always the first detection. Classes are the account's own
        categories; pass a detection's `embedding` and `class` to visual recommend.
        """
        return services().discovery.detect(current_principal().account_id, body["img"])


@blp.route("/recommend")
class VisualRecommend(MethodView):
    @blp.arguments(VisualRecommendSchema)
    @blp.response(200, Seed003ProductSchema(many=True))
    def post(self, body):
        """Products for a detection: nearest to its embedding, those of its class first"""
        return services().discovery.recommend(
            current_principal().account_id, body["img"], body["detected_class"], body["n_rec"]
        )
