"""Schemas of recommendations and similar products."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from bridge.storefront.settings import ALGORITHMS

SHOPPER_ID = validate.Length(min=1, max=200)


class RecommendSchema(ma.Schema):
    """Seed 003's recommendation request."""

    algo = fields.String(
        required=True,
        validate=validate.OneOf(ALGORITHMS),
        metadata={"description": "similarity (needs item_id), pop, or history (needs user_id or session_id)."},
    )
    n_rec = fields.Integer(load_default=12, validate=validate.Range(min=1, max=100))
    session_id = fields.String(validate=SHOPPER_ID)
    user_id = fields.String(validate=SHOPPER_ID)
    item_id = fields.String(validate=SHOPPER_ID, metadata={"description": "The product, for similarity."})


class SimilarQuerySchema(ma.Schema):
    limit = fields.Integer(load_default=12, validate=validate.Range(min=1, max=100))
    threshold = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=1))
