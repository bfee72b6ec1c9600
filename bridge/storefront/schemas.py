"""Schemas of publishable keys and website settings."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from bridge.storefront.settings import ALGORITHMS, CURRENCY_FORMATS

SELECTOR = validate.And(
    validate.Length(max=500),
    validate.Regexp(r"^[^<>{}]*$", error="Not a CSS selector: angle brackets and braces are not allowed."),
)


ORIGINS_DESCRIPTION = (
    "Exact origins whose pages may use the key; a wildcard over subdomains only when written so "
    "(https://*.example.com)."
)


class PublicKeyUpdateSchema(ma.Schema):
    """Any of a key's settings; what is not given stays as it is."""

    name = fields.String(validate=validate.Length(min=1, max=200), metadata={"example": "Storefront"})
    allowed_origins = fields.List(
        fields.String(validate=validate.Length(min=1, max=300)),
        validate=validate.Length(min=1, max=50),
        metadata={"description": ORIGINS_DESCRIPTION, "example": ["https://shop.example.com"]},
    )
    rate_limit_per_minute = fields.Integer(validate=validate.Range(min=1, max=100_000), metadata={"example": 600})


class PublicKeyCreateSchema(PublicKeyUpdateSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"example": "Storefront"})
    allowed_origins = fields.List(
        fields.String(validate=validate.Length(min=1, max=300)),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": ORIGINS_DESCRIPTION, "example": ["https://shop.example.com"]},
    )
    rate_limit_per_minute = fields.Integer(
        load_default=600, validate=validate.Range(min=1, max=100_000), metadata={"example": 600}
    )


class PublicKeySchema(ma.Schema):
    id = fields.String()
    key = fields.String(metadata={"description": "The publishable key (pk_…): public by design.", "example": "pk_…"})
    name = fields.String()
    allowed_origins = fields.List(fields.String())
    rate_limit_per_minute = fields.Integer()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    active = fields.Boolean()


class SectionSchema(ma.Schema):
    show = fields.Boolean(metadata={"description": "Whether the carousel is displayed."})
    algo = fields.String(validate=validate.OneOf(ALGORITHMS), metadata={"example": "similarity"})
    title = fields.String(validate=validate.Length(max=200), metadata={"example": "You may also like"})
    n = fields.Integer(validate=validate.Range(min=1, max=48), metadata={"description": "Products in the carousel."})
    show_after = fields.String(validate=SELECTOR, metadata={"description": "CSS selector the carousel follows."})


class ProductSectionSchema(SectionSchema):
    query = fields.String(validate=validate.Length(max=500))


class WebsiteSettingsSchema(ma.Schema):
    """Seed 003's website settings; on PATCH every field is optional."""

    home = fields.Nested(SectionSchema)
    product = fields.Nested(ProductSectionSchema)
    cart = fields.Nested(SectionSchema)
    order = fields.Nested(SectionSchema)
    css = fields.String(validate=validate.Length(max=50_000), metadata={"description": "CSS added to the widgets."})
    has_visualsearch = fields.Boolean()
    has_semanticsearch = fields.Boolean()
    currency = fields.String(
        validate=validate.Regexp(r"^[A-Z]{3}$", error="An ISO 4217 code such as EUR or USD."),
        metadata={"example": "EUR"},
    )
    currency_format = fields.String(validate=validate.OneOf(CURRENCY_FORMATS))
    visualsearch_show_after = fields.String(
        validate=SELECTOR, metadata={"description": "CSS selector the camera button follows."}
    )
    visualsearch_image = fields.String(
        validate=validate.Regexp(
            r"^$|^(https?://|/)[^\s<>\"']+$", error="An http(s) URL, a path starting with /, or empty."
        )
    )
    visualsearch_displaygenderfilter = fields.Boolean()
    visualsearch_displaypricefilter = fields.Boolean()
    visualsearch_displaycategoryfilter = fields.Boolean()
    visualsearch_displaybrandfilter = fields.Boolean()
    semanticsearch_bind = fields.String(
        validate=SELECTOR, metadata={"description": "CSS selector of the search box search-as-you-type binds to."}
    )
