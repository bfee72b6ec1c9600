"""Request and response schemas for accounts and OAuth (they drive the OpenAPI document)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate


class RegisterSchema(ma.Schema):
    client_name = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"example": "My E-Commerce App"}
    )
    email = fields.Email(required=True, validate=validate.Length(max=254), metadata={"example": "owner@example.com"})
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=128),
        metadata={"description": "At least 10 characters, not a common password.", "example": "secureP@ssw0rd!"},
    )


class RegisteredSchema(ma.Schema):
    account_id = fields.String(metadata={"example": "3f2c9b1e8a4d4c7f9e0b1a2c3d4e5f60"})
    client_name = fields.String(metadata={"example": "My E-Commerce App"})
    email = fields.String(metadata={"example": "owner@example.com"})
    client_id = fields.String(metadata={"example": "bc_4f1a2b3c4d5e6f708192a3b4"})
    client_secret = fields.String(
        metadata={"description": "Shown only in this response. Store it now.", "example": "bs_Zt0…"}
    )
    verification_required = fields.Boolean(metadata={"example": True})
    message = fields.String()


class VerifyQuerySchema(ma.Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class VerifiedSchema(ma.Schema):
    status = fields.String(metadata={"example": "verified"})
    email = fields.String(metadata={"example": "owner@example.com"})
    message = fields.String()


class ResendSchema(ma.Schema):
    email = fields.Email(required=True, metadata={"example": "owner@example.com"})


class AcceptedSchema(ma.Schema):
    status = fields.String(metadata={"example": "accepted"})
    message = fields.String()


class TokenRequestSchema(ma.Schema):
    """RFC 6749 §4.4.2 token request; client credentials may come by HTTP Basic instead."""

    grant_type = fields.String(required=True, metadata={"example": "client_credentials"})
    client_id = fields.String(metadata={"example": "bc_4f1a2b3c4d5e6f708192a3b4"})
    client_secret = fields.String(metadata={"example": "bs_Zt0…"})
    scope = fields.String(metadata={"description": "Ignored: owner tokens carry every permission."})


class TokenSchema(ma.Schema):
    access_token = fields.String(metadata={"example": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…"})
    token_type = fields.String(metadata={"example": "bearer"})
    expires_in = fields.Integer(metadata={"example": 3600})


class OAuthErrorSchema(ma.Schema):
    """RFC 6749 §5.2 error response."""

    error = fields.String(metadata={"example": "invalid_client"})
    error_description = fields.String()


class LoginSchema(ma.Schema):
    email = fields.Email(required=True, metadata={"example": "owner@example.com"})
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))


class LoginTokenSchema(TokenSchema):
    client_name = fields.String(metadata={"example": "My E-Commerce App"})


class PlanSchema(ma.Schema):
    name = fields.String(metadata={"example": "free"})


class PrincipalSchema(ma.Schema):
    type = fields.String(metadata={"description": "owner (client credentials) or user (login)", "example": "owner"})
    user_id = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    role = fields.String(allow_none=True, metadata={"example": "owner"})


class AccountSchema(ma.Schema):
    account_id = fields.String()
    client_id = fields.String(metadata={"example": "bc_4f1a2b3c4d5e6f708192a3b4"})
    client_name = fields.String(metadata={"example": "My E-Commerce App"})
    verified = fields.Boolean()
    created_at = fields.DateTime()
    plan = fields.Nested(PlanSchema)
    principal = fields.Nested(PrincipalSchema)
    token_expires_at = fields.DateTime()


class CredentialsSchema(ma.Schema):
    client_id = fields.String(metadata={"example": "bc_4f1a2b3c4d5e6f708192a3b4"})
    client_secret = fields.String(
        allow_none=True,
        metadata={"description": "Only present right after regeneration; null otherwise."},
    )
    secret_created_at = fields.DateTime()
    message = fields.String()
