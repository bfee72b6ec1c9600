"""HTTP endpoints for shopper events and seed 003's merge users (publishable keys welcome)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from bridge.events.schemas import EventRecordedSchema, EventSchema, MergedSchema, MergeUserSchema
from bridge.http import current_principal, public_blueprint, services

blp = Blueprint("events", __name__, url_prefix="/v1", description="Shopper events and merged shopper ids")
public_blueprint(blp)


@blp.route("/events")
class Events(MethodView):
    @blp.arguments(EventSchema)
    @blp.response(202, EventRecordedSchema)
    def post(self, body):
        """Record a shopper event: view, click, add_to_cart or purchase of a product"""
        return services().events.record(current_principal().account_id, body)


@blp.route("/merge_user")
class MergeUser(MethodView):
    @blp.arguments(MergeUserSchema)
    @blp.response(200, MergedSchema)
    def post(self, body):
        """Merge users: the shopper logged in, so the old (anonymous) id's history moves to the new id"""
        return services().events.merge(current_principal().account_id, body["old_user_id"], body["new_user_id"])
