"""``/healthz`` (the process answers) and ``/readyz`` (its dependencies answer)."""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint as FlaskBlueprint
from flask import send_from_directory
from flask.views import MethodView
from flask_smorest import Blueprint
from swagger_ui_bundle import swagger_ui_path

from bridge.http import services

blp = Blueprint("system", __name__, url_prefix="/", description="Health and readiness")
# Swagger UI is served from the installed package, so /docs works without internet.
docs_assets_bp = FlaskBlueprint("docs_assets", __name__, url_prefix="/docs/assets")


class HealthSchema(ma.Schema):
    status = ma.fields.String(metadata={"example": "ok"})


class ReadinessSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "ready or not_ready", "example": "ready"})
    checks = ma.fields.Dict(
        metadata={
            "description": "Per dependency: ok plus details",
            "example": {"database": {"ok": True, "backend": "sqlite"}},
        }
    )


@blp.route("/healthz")
class Health(MethodView):
    @blp.doc(security=[])
    @blp.response(200, HealthSchema)
    def get(self):
        """Liveness: the process is up and answering"""
        return {"status": "ok"}


@blp.route("/readyz")
class Readiness(MethodView):
    @blp.doc(security=[])
    @blp.response(200, ReadinessSchema)
    @blp.alt_response(503, schema=ReadinessSchema, description="A dependency is not ready")
    def get(self):
        """Readiness: database, vector store and models"""
        checks = services().readiness()
        ready = all(check.get("ok") for check in checks.values())
        return {"status": "ready" if ready else "not_ready", "checks": checks}, 200 if ready else 503


@docs_assets_bp.route("/<path:filename>")
def docs_asset(filename: str):
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
