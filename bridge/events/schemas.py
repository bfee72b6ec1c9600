"""Schemas of shopper events and seed 003's merge users."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from bridge.events.service import EVENT_TYPES

SHOPPER_ID = validate.Length(min=1, max=200)


class EventSchema(ma.Schema):
    event = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES), metadata={"example": "click"})
    item_id = fields.String(required=True, validate=SHOPPER_ID, metadata={"description": "The product's id."})
    user_id = fields.String(validate=SHOPPER_ID)
    session_id = fields.String(validate=SHOPPER_ID)
    query_id = fields.String(
        validate=validate.Length(max=32), metadata={"description": "The search that led here, if any."}
    )
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))


class EventRecordedSchema(ma.Schema):
    status = fields.String(metadata={"example": "ok"})
    id = fields.String()


class MergeUserSchema(ma.Schema):
    old_user_id = fields.String(required=True, validate=SHOPPER_ID)
    new_user_id = fields.String(required=True, validate=SHOPPER_ID)


class MergedSchema(ma.Schema):
    status = fields.String(metadata={"example": "ok"})
    events_moved = fields.Integer()
