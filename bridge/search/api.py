"""HTTP endpoints for image, URL and text search."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from bridge.errors import InvalidInputError
from bridge.http import accepts, current_principal, require_bearer_token, services
from bridge.search.filters import SearchFilters
from bridge.search.schemas import (
    SearchResponseSchema,
    TextSearchSchema,
    UploadFileSchema,
    UploadSearchFormSchema,
    UrlSearchSchema,
)

blp = Blueprint("search", __name__, url_prefix="/v1/search", description="Search by image, URL or text")
blp.before_request(require_bearer_token)


@blp.route("")
class UploadSearch(MethodView):
    @blp.arguments(UploadSearchFormSchema, location="form")
    @blp.arguments(UploadFileSchema, location="files")
    @blp.response(200, SearchResponseSchema)
    @accepts("multipart/form-data")
    def post(self, form, files):
        """Search by an uploaded photo (multipart field `image`)"""
        data = files["image"].read()
        if not data:
            raise InvalidInputError("image: the uploaded file is empty.", field="image")
        return services().search.by_upload(
            current_principal().account_id, data, form["limit"], form["threshold"], SearchFilters.from_request(form)
        )


@blp.route("/url")
class UrlSearch(MethodView):
    @blp.arguments(UrlSearchSchema)
    @blp.response(200, SearchResponseSchema)
    def post(self, body):
        """Search by the photo at an image URL"""
        return services().search.by_image_url(
            current_principal().account_id,
            body["image_url"],
            body["limit"],
            body["threshold"],
            SearchFilters.from_request(body),
        )


@blp.route("/text")
class TextSearch(MethodView):
    @blp.arguments(TextSearchSchema)
    @blp.response(200, SearchResponseSchema)
    def post(self, body):
        """Search by a natural-language description"""
        return services().search.by_text(
            current_principal().account_id,
            body["query"],
            body["limit"],
            body["threshold"],
            SearchFilters.from_request(body),
        )
