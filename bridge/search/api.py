"""HTTP endpoints for search: image, URL, text, fusion, several images, crops."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from bridge.errors import InvalidInputError
from bridge.http import accepts, current_principal, public_blueprint, services
from bridge.search.batch import options_from, run_batch, run_mode
from bridge.search.schemas import (
    BatchResponseSchema,
    BatchSearchSchema,
    CropSearchSchema,
    CropUploadFormSchema,
    FilteredSearchSchema,
    FusionSearchSchema,
    HybridSearchSchema,
    MultiImageSearchSchema,
    SearchResponseSchema,
    SuggestQuerySchema,
    SuggestResponseSchema,
    TextSearchSchema,
    UploadFileSchema,
    UploadSearchFormSchema,
    UrlSearchSchema,
)

blp = Blueprint("search", __name__, url_prefix="/v1/search", description="Search by image, URL or text")
public_blueprint(blp)


_options = options_from


def _uploaded(files) -> bytes:
    data = files["image"].read()
    if not data:
        raise InvalidInputError("image: the uploaded file is empty.", field="image")
    return data


def _account() -> str:
    return current_principal().account_id


@blp.route("")
class UploadSearch(MethodView):
    @blp.arguments(UploadSearchFormSchema, location="form")
    @blp.arguments(UploadFileSchema, location="files")
    @blp.response(200, SearchResponseSchema)
    @accepts("multipart/form-data")
    def post(self, form, files):
        """Search by an uploaded photo (multipart field `image`)"""
        return services().search.by_upload(_account(), _uploaded(files), _options(form))


@blp.route("/url")
class UrlSearch(MethodView):
    @blp.arguments(UrlSearchSchema)
    @blp.response(200, SearchResponseSchema)
    def post(self, body):
        """Search by the photo at an image URL"""
        return services().search.by_image_url(_account(), body["image_url"], _options(body))


@blp.route("/text")
class TextSearch(MethodView):
    @blp.arguments(TextSearchSchema)
    @blp.response(200, SearchResponseSchema)
    def post(self, body):
        """Search by a natural-language description"""
        return services().search.by_text(_account(), body["query"], _options(body))


@blp.route("/fusion")
class FusionSearch(MethodView):
    @blp.arguments(FusionSearchSchema)
    @blp.response(200, SearchResponseSchema)
    def post(self, body):
        """Blend a photo with words ("like this, but in blue")

        `image_weight` (0..1) is the photo's share of the score; the words get the rest.
        """
        return services().search.fusion(
            _account(), body.get("image_url"), body.get("query"), body["image_weight"], _options(body)
        )


@blp.route("/multi-image")
class MultiImageSearch(MethodView):
    @blp.arguments(MultiImageSearchSchema)
    @blp.response(200, SearchResponseSchema)
    def post(self, body):
        """Search with up to ten reference photos (aggregation: average, union or best)"""
        return services().search.multi_image(_account(), body["image_urls"], body["aggregation"], _options(body))


@blp.route("/crop")
class CropSearch(MethodView):
    @blp.arguments(CropSearchSchema)
    @blp.response(200, SearchResponseSchema)
    def post(self, body):
        """Search with a region of the photo at an image URL (`box` in pixels or fractions)"""
        return services().search.by_crop_url(_account(), body["image_url"], body["box"], _options(body))


@blp.route("/crop/upload")
class CropUploadSearch(MethodView):
    @blp.arguments(CropUploadFormSchema, location="form")
    @blp.arguments(UploadFileSchema, location="files")
    @blp.response(200, SearchResponseSchema)
    @accepts("multipart/form-data")
    def post(self, form, files):
        """Search with a region of an uploaded photo (form fields x, y, width, height)"""
        return services().search.by_crop_upload(_account(), _uploaded(files), form, _options(form))


@blp.route("/hybrid")
class HybridSearch(MethodView):
    @blp.arguments(HybridSearchSchema)
    @blp.response(200, SearchResponseSchema)
    def post(self, body):
        """Photo and/or words with colours and metadata filters (`visual_weight` is the photo's share)"""
        return run_mode(services().search, _account(), "hybrid", body)


@blp.route("/filtered")
class FilteredSearch(MethodView):
    @blp.arguments(FilteredSearchSchema)
    @blp.response(200, SearchResponseSchema)
    def post(self, body):
        """Search by image URL within a filter (seed 003 `filters`, or `metadata_filters`)"""
        return run_mode(services().search, _account(), "filtered", body)


@blp.route("/batch")
class BatchSearch(MethodView):
    @blp.arguments(BatchSearchSchema)
    @blp.response(200, BatchResponseSchema)
    def post(self, body):
        """Run up to 20 searches of any mode; one failing query does not fail the batch"""
        return run_batch(services().search, _account(), body["queries"])


@blp.route("/suggest")
class Suggest(MethodView):
    @blp.arguments(SuggestQuerySchema, location="query")
    @blp.response(200, SuggestResponseSchema)
    def get(self, query):
        """Autocomplete: completions with highlighted matches, and the top products

        Completions come from product names, brands, categories and popular past
        queries; prefixes tolerate one typo from 4 characters and two from 8.
        """
        return services().autocomplete.suggest(_account(), query["q"], query["limit"])
