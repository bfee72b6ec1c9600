"""HTTP endpoints for bulk indexing and job status."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from bridge.http import current_principal, require_bearer_token, services
from bridge.jobs.schemas import BulkAcceptedSchema, BulkRequestSchema, JobSchema

bulk_blp = Blueprint("bulk", __name__, url_prefix="/v1/products/bulk", description="Bulk indexing")
bulk_blp.before_request(require_bearer_token)
blp = Blueprint("jobs", __name__, url_prefix="/v1/jobs", description="Background jobs")
blp.before_request(require_bearer_token)


@bulk_blp.route("")
class BulkIndex(MethodView):
    @bulk_blp.arguments(BulkRequestSchema)
    @bulk_blp.response(202, BulkAcceptedSchema)
    def post(self, body):
        """Index many products in the background

        Answers at once with a job id; poll GET /v1/jobs/{job_id}. Each product is
        validated and indexed on its own: one bad product never fails the others.
        When the job ends, callback_url receives the final job as a signed POST.
        """
        job = services().jobs.create_bulk_index(
            current_principal().account_id, body["products"], body.get("callback_url"), body.get("callback_secret")
        )
        return {
            "job_id": job.id,
            "status": "processing" if job.status != "failed" else job.status,
            "total": job.total,
            "rejected": job.failed,
            "message": f"Poll GET /v1/jobs/{job.id} for progress.",
        }


@blp.route("/<string:job_id>")
class JobById(MethodView):
    @blp.response(200, JobSchema)
    def get(self, job_id):
        """Job status, counts, per-item errors and timings"""
        return services().jobs.get(current_principal().account_id, job_id)
