"""Product request and response schemas (they drive validation and the OpenAPI document)."""

from __future__ import annotations

import json

import marshmallow as ma
from marshmallow import fields, validate

MAX_IMAGES = 10
MAX_METADATA_BYTES = 32 * 1024


class HttpUrl(fields.Url):
    def __init__(self, **kwargs):
        super().__init__(schemes={"http", "https"}, require_tld=False, **kwargs)


class ProductMetadataSchema(ma.Schema):
    """Known fields are typed; any other (custom) field is kept as given."""

    class Meta:
        unknown = ma.INCLUDE

    name = fields.String(validate=validate.Length(max=500), metadata={"example": "Blue Running Sneaker"})
    category = fields.String(validate=validate.Length(max=300), metadata={"example": "footwear"})
    brand = fields.String(validate=validate.Length(max=200), metadata={"example": "SportMax"})
    price = fields.Float(allow_nan=False, validate=validate.Range(min=0), allow_none=True, metadata={"example": 89.99})
    color_name = fields.String(validate=validate.Length(max=100), metadata={"example": "blue"})
    tags = fields.List(fields.String(validate=validate.Length(max=100)), validate=validate.Length(max=100))
    description = fields.String(validate=validate.Length(max=20000))
    url = HttpUrl(metadata={"example": "https://shop.example.com/p/shoe-001"})

    @ma.validates_schema(pass_original=True)
    def limit_size(self, data, original, **kwargs):
        if len(json.dumps(original, default=str)) > MAX_METADATA_BYTES:
            raise ma.ValidationError(f"metadata must be at most {MAX_METADATA_BYTES} bytes as JSON.", "_schema")


class ProductInputSchema(ma.Schema):
    product_id = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"example": "shoe-001"}
    )
    image_url = HttpUrl(metadata={"example": "https://example.com/blue-sneaker.jpg"})
    image_urls = fields.List(HttpUrl(), validate=validate.Length(max=MAX_IMAGES))
    metadata = fields.Nested(ProductMetadataSchema, load_default=dict)

    @ma.post_load
    def merge_images(self, data, **kwargs):
        """``image_url`` and ``image_urls`` both allowed; the single one comes first."""
        urls = ([data.pop("image_url")] if data.get("image_url") else []) + data.pop("image_urls", [])
        data["image_urls"] = list(dict.fromkeys(urls))
        if len(data["image_urls"]) > MAX_IMAGES:
            raise ma.ValidationError(f"At most {MAX_IMAGES} images per product.", "image_urls")
        data["product_id"] = data["product_id"].strip()
        if not data["product_id"]:
            raise ma.ValidationError("product_id must not be blank.", "product_id")
        return data


class ProductPatchSchema(ma.Schema):
    """PATCH: metadata keys are merged (null removes a key); images replaced if given."""

    image_url = HttpUrl()
    image_urls = fields.List(HttpUrl(), validate=validate.Length(max=MAX_IMAGES))
    metadata = fields.Dict()


class ProductReplaceSchema(ma.Schema):
    image_url = HttpUrl()
    image_urls = fields.List(HttpUrl(), validate=validate.Length(max=MAX_IMAGES))
    metadata = fields.Nested(ProductMetadataSchema, load_default=dict)


class IndexedSchema(ma.Schema):
    status = fields.String(metadata={"example": "indexed"})
    product_id = fields.String(metadata={"example": "shoe-001"})
    vector_id = fields.String(metadata={"example": "5d0c2f0a9a2b4c0e8f1e2d3c4b5a6978"})
    created = fields.Boolean(metadata={"description": "false when an existing product was updated"})
    images_embedded = fields.Integer(metadata={"description": "Images (re-)embedded; unchanged ones are kept."})
    message = fields.String(metadata={"example": "Product image indexed successfully"})


class ColorSchema(ma.Schema):
    hex = fields.String(metadata={"example": "#1f3a93"})
    name = fields.String(metadata={"example": "blue"})
    share = fields.Float(metadata={"example": 0.62})


class ProductSchema(ma.Schema):
    product_id = fields.String()
    vector_id = fields.String()
    status = fields.String(metadata={"example": "indexed"})
    metadata = fields.Dict()
    image_urls = fields.List(fields.String())
    dominant_colors = fields.List(fields.Nested(ColorSchema))
    visual_model = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProductListQuerySchema(ma.Schema):
    category = fields.String(validate=validate.Length(max=300))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class ProductPageSchema(ma.Schema):
    products = fields.List(fields.Nested(ProductSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


class DeletedSchema(ma.Schema):
    status = fields.String(metadata={"example": "deleted"})
    product_id = fields.String()


class DemoInstalledSchema(ma.Schema):
    status = fields.String(metadata={"example": "installed"})
    installed = fields.Integer(metadata={"example": 36})
    products = fields.List(fields.String())
    message = fields.String()


class DuplicateSchema(ma.Schema):
    product_id = fields.String(metadata={"description": "The product indexed later", "example": "shoe-002"})
    duplicate_of = fields.String(metadata={"description": "The product it nearly equals", "example": "shoe-001"})
    similarity_score = fields.Float(metadata={"example": 0.97})
    detected_at = fields.DateTime()


class DuplicatePageSchema(ma.Schema):
    duplicates = fields.List(fields.Nested(DuplicateSchema))
    page = fields.Integer()
    per_page = fields.Integer()


class PageQuerySchema(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
