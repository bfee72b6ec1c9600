"""HTTP endpoints for sign-up, verification, OAuth 2.0 tokens and the caller's account."""

from __future__ import annotations

from flask import jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from bridge.accounts import oauth
from bridge.accounts.schemas import (
    AcceptedSchema,
    AccountSchema,
    CredentialsSchema,
    LoginSchema,
    LoginTokenSchema,
    OAuthErrorSchema,
    RegisteredSchema,
    RegisterSchema,
    ResendSchema,
    TokenRequestSchema,
    TokenSchema,
    VerifiedSchema,
    VerifyQuerySchema,
)
from bridge.http import accepts, current_principal, require_bearer_token, services

PUBLIC = {"security": []}
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

signup_blp = Blueprint("signup", __name__, url_prefix="/", description="Sign-up and email verification")
oauth_blp = Blueprint("oauth", __name__, url_prefix="/oauth", description="OAuth 2.0 access tokens")
account_blp = Blueprint("account", __name__, url_prefix="/v1/account", description="The calling account")
account_blp.before_request(require_bearer_token)


@signup_blp.route("/register")
class Register(MethodView):
    @signup_blp.doc(**PUBLIC)
    @signup_blp.arguments(RegisterSchema)
    @signup_blp.response(201, RegisteredSchema)
    def post(self, body):
        """Register a new account

        Creates the account and its owner user and emails a verification link. The
        client secret is shown in this response only. Token requests are refused
        with 403 until the email is verified.
        """
        created = services().accounts.register(body["client_name"], body["email"], body["password"])
        return (
            {
                "account_id": created.account.id,
                "client_name": created.account.client_name,
                "email": created.user.email,
                "client_id": created.account.client_id,
                "client_secret": created.client_secret,
                "verification_required": True,
                "message": "Account created. Check your email for the verification link.",
            },
            201,
            NO_STORE,
        )


@signup_blp.route("/verify")
class Verify(MethodView):
    @signup_blp.doc(**PUBLIC)
    @signup_blp.arguments(VerifyQuerySchema, location="query")
    @signup_blp.response(200, VerifiedSchema)
    def get(self, query):
        """Verify an email address with the token from the verification link"""
        user = services().accounts.verify_email(query["token"])
        return {"status": "verified", "email": user.email, "message": "Email verified; the account is active."}


@signup_blp.route("/verify/resend")
class ResendVerification(MethodView):
    @signup_blp.doc(**PUBLIC)
    @signup_blp.arguments(ResendSchema)
    @signup_blp.response(202, AcceptedSchema)
    def post(self, body):
        """Send a new verification link

        Always answers 202, whether or not the email has an unverified account, so
        the endpoint reveals nothing about who has registered.
        """
        services().accounts.resend_verification(body["email"])
        return {"status": "accepted", "message": "If that email has an unverified account, a new link is on its way."}


@oauth_blp.route("/token")
class Token(MethodView):
    @oauth_blp.doc(
        security=[],
        requestBody={
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": TokenRequestSchema},
                "application/json": {"schema": TokenRequestSchema},
            },
        },
    )
    @oauth_blp.alt_response(400, schema=OAuthErrorSchema, description="invalid_request or unsupported_grant_type")
    @oauth_blp.alt_response(401, schema=OAuthErrorSchema, description="invalid_client")
    @oauth_blp.alt_response(403, schema=OAuthErrorSchema, description="unauthorized_client: email not verified")
    @oauth_blp.response(200, TokenSchema)
    @accepts("application/x-www-form-urlencoded", "application/json")
    def post(self):
        """Get an access token (client credentials grant, RFC 6749 §4.4)

        Send `grant_type=client_credentials` with `client_id` and `client_secret`
        form-encoded, as JSON, or as HTTP Basic credentials. Tokens last 3600 s and
        die when the client secret is regenerated.
        """
        body, status, headers = oauth.token_response(services().accounts, request)
        if status == 200:
            return body, status, headers
        # An RFC 6749 error body must not be reshaped by the success schema.
        response = jsonify(body)
        response.status_code = status
        response.headers.update(headers)
        return response


@oauth_blp.route("/login")
class Login(MethodView):
    @oauth_blp.doc(**PUBLIC)
    @oauth_blp.arguments(LoginSchema)
    @oauth_blp.response(200, LoginTokenSchema)
    def post(self, body):
        """Get an access token with email and password

        A wrong email and a wrong password get the same 401. After repeated
        failures the email is throttled (429 with Retry-After).
        """
        result = services().accounts.token_for_login(body["email"], body["password"], request.remote_addr or "")
        return (
            {
                "access_token": result.token.access_token,
                "token_type": "bearer",
                "expires_in": result.token.expires_in,
                "client_name": result.client_name,
            },
            200,
            NO_STORE,
        )


@account_blp.route("")
class CurrentAccount(MethodView):
    @account_blp.response(200, AccountSchema)
    def get(self):
        """Who is calling: account, client id, plan and principal"""
        return services().accounts.describe(current_principal())


@account_blp.route("/credentials")
class Credentials(MethodView):
    @account_blp.response(200, CredentialsSchema)
    def get(self):
        """The client id (the secret is never shown again)"""
        account = services().accounts.get_account(current_principal().account_id)
        return {"client_id": account.client_id, "client_secret": None, "secret_created_at": account.secret_created_at}


@account_blp.route("/credentials/regenerate")
class RegenerateSecret(MethodView):
    @account_blp.response(200, CredentialsSchema)
    def post(self):
        """Regenerate the client secret

        The old secret stops working at once, and so does every access token
        issued with it. The new secret is shown in this response only.
        """
        created = services().accounts.regenerate_secret_for(current_principal())
        return (
            {
                "client_id": created.account.client_id,
                "client_secret": created.client_secret,
                "secret_created_at": created.account.secret_created_at,
                "message": "Store the new secret now; it will not be shown again.",
            },
            200,
            NO_STORE,
        )
