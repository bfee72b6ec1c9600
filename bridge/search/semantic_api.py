"""HTTP endpoints of seed 003's semantic search and semantic search filters."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from bridge.http import current_principal, public_blueprint, services
from bridge.search.batch import shopper_from
from bridge.search.discovery_schemas import Seed003ProductSchema
from bridge.search.filters import SearchFilters

blp = Blueprint("semantic", __name__, url_prefix="/v1/semantic", description="Semantic search (seed 003)")
public_blueprint(blp)


class SemanticBaseSchema(ma.Schema):
    query = fields.String(required=True, validate=validate.Length(min=1, max=500), metadata={"example": "red dress"})
    language = fields.String(validate=validate.Length(max=20), metadata={"example": "en"})
    session_id = fields.String(validate=validate.Length(max=200))
    user_id = fields.String(validate=validate.Length(max=200))
    filters = fields.Raw(metadata={"description": "Seed 003 filter (object, or the relaxed string form)."})


class SemanticSearchSchema(SemanticBaseSchema):
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000))
    threshold = fields.Float(
        load_default=0.1,
        validate=validate.Range(min=0, max=1),
        metadata={"description": "Minimum relevance (0.1–0.5 works well; lower gives more results)."},
    )


class SemanticFiltersSchema(SemanticBaseSchema):
    threshold = fields.Float(
        load_default=0.8,
        validate=validate.Range(min=0, max=1),
        metadata={"description": "Keep candidates scoring at least (1 − threshold) × the best; greater gives more."},
    )
    n_cand = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))


class FacetsSchema(ma.Schema):
    results = fields.Integer(metadata={"description": "Size of the matching set"})
    brand_names = fields.List(fields.String())
    brand_ids = fields.List(fields.Raw())
    page_names = fields.List(fields.String())
    page_ids = fields.List(fields.Raw())
    tags = fields.List(fields.String())
    attributes = fields.Dict(metadata={"description": "{attribute: [values]}"})
    facets = fields.Dict(metadata={"description": "Algolia-shaped {attribute: {value: count}}"})
    facets_stats = fields.Dict(metadata={"description": "Algolia-shaped {numeric attribute: {min, max}}"})


def _options(body: dict) -> dict:
    return {
        "filters": SearchFilters.from_request(body),
        "limit": 10,
        "threshold": 0.0,
        "shopper": shopper_from(body),
    }


@blp.route("/search")
class SemanticSearchView(MethodView):
    @blp.arguments(SemanticSearchSchema)
    @blp.response(200, Seed003ProductSchema(many=True))
    def post(self, body):
        """Semantic search: products for a natural-language query, in seed 003's shape"""
        return services().semantic.search(
            current_principal().account_id,
            body["query"],
            body["limit"],
            body["offset"],
            body["threshold"],
            _options(body),
        )


@blp.route("/filters")
class SemanticFiltersView(MethodView):
    @blp.arguments(SemanticFiltersSchema)
    @blp.response(200, FacetsSchema)
    def post(self, body):
        """Semantic search filters: brands, pages, tags, attributes and counts of the matching set"""
        return services().semantic.filters(
            current_principal().account_id, body["query"], body["threshold"], body["n_cand"], _options(body)
        )
