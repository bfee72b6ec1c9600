"""Accounts: registration, email verification, credentials and access tokens."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bridge.accounts import credentials
from bridge.accounts.models import Account, EmailVerification, User
from bridge.accounts.throttle import LoginThrottle
from bridge.accounts.tokens import OWNER, USER, AccessTokens, IssuedToken, Principal
from bridge.db import Database
from bridge.errors import (
    AccountNotVerifiedError,
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from bridge.mail import Mailer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewCredentials:
    """Credentials right after creation: the only moment the secret is visible."""

    account: Account
    user: User | None
    client_secret: str


@dataclass(frozen=True)
class LoginResult:
    token: IssuedToken
    client_name: str


class AccountService:
    def __init__(
        self,
        db: Database,
        mailer: Mailer,
        tokens: AccessTokens,
        passwords: credentials.PasswordHasher,
        throttle: LoginThrottle,
        public_url: str,
        verification_ttl: int,
        clock: Callable[[], datetime],
    ):
        self._db = db
        self._mailer = mailer
        self._tokens = tokens
        self._passwords = passwords
        self._throttle = throttle
        self._public_url = public_url
        self._verification_ttl = timedelta(seconds=verification_ttl)
        self._clock = clock

    # -- registration and verification -------------------------------------------------

    def register(self, client_name: str, email: str, password: str, *, verified: bool = False) -> NewCredentials:
        """Create an account with its owner user; send the verification mail unless verified."""
        email = normalize_email(email)
        client_name = client_name.strip()
        if not client_name:
            raise InvalidInputError("client_name must not be blank.", field="client_name")
        credentials.check_password_policy(password, email)
        secret = credentials.new_client_secret()
        now = self._clock()
        account = Account(
            client_name=client_name,
            client_id=credentials.new_client_id(),
            client_secret_hash=credentials.digest(secret),
            secret_created_at=now,
            verified_at=now if verified else None,
            created_at=now,
        )
        user = User(
            email=email,
            password_hash=self._passwords.hash(password),
            role="owner",
            email_verified_at=now if verified else None,
            created_at=now,
        )
        account.users.append(user)
        try:
            with self._db.transaction() as session:
                if session.scalar(select(User.id).where(User.email == email)):
                    raise ConflictError("An account with this email already exists.", field="email")
                session.add(account)
                session.flush()
                link = None if verified else self._new_verification_link(session, user)
        except IntegrityError:  # a concurrent registration won the race for this email
            raise ConflictError("An account with this email already exists.", field="email") from None
        if link:
            self._send_verification(user.email, account.client_name, link)
        log.info("account registered account=%s client_id=%s verified=%s", account.id, account.client_id, verified)
        return NewCredentials(account, user, secret)

    def verify_email(self, token: str) -> User:
        now = self._clock()
        with self._db.transaction() as session:
            record = session.get(EmailVerification, credentials.digest(token))
            if record is None or record.used_at is not None:
                raise InvalidInputError("This verification link is invalid or was already used.", field="token")
            if record.expires_at <= now:
                raise InvalidInputError(
                    "This verification link has expired; ask for a new one at POST /verify/resend.", field="token"
                )
            record.used_at = now
            user = session.get(User, record.user_id)
            user.email_verified_at = user.email_verified_at or now
            if user.role == "owner" and user.account.verified_at is None:
                user.account.verified_at = now
        log.info("email verified user=%s account=%s", user.id, user.account_id)
        return user

    def resend_verification(self, email: str) -> None:
        """Send a fresh link if the email belongs to an unverified user; silent otherwise,
        so the endpoint cannot be used to find out which emails have accounts."""
        email = normalize_email(email)
        with self._db.transaction() as session:
            user = session.scalar(select(User).where(User.email == email))
            if user is None or user.email_verified_at is not None:
                return
            link = self._new_verification_link(session, user)
            client_name = user.account.client_name
        self._send_verification(email, client_name, link)

    def _new_verification_link(self, session, user: User) -> str:
        token = credentials.new_one_time_token()
        now = self._clock()
        session.add(
            EmailVerification(
                token_hash=credentials.digest(token),
                user_id=user.id,
                expires_at=now + self._verification_ttl,
                created_at=now,
            )
        )
        return f"{self._public_url}/verify?{urlencode({'token': token})}"

    def _send_verification(self, email: str, client_name: str, link: str) -> None:
        hours = int(self._verification_ttl.total_seconds() // 3600)
        self._mailer.send_template(email, "verify_email", client_name=client_name, link=link, valid_hours=hours)

    # -- tokens -----------------------------------------------------------------------

    def token_for_client(self, client_id: str, client_secret: str) -> IssuedToken:
        """OAuth 2.0 client credentials grant: a token for the account owner."""
        with self._db.transaction() as session:
            account = session.scalar(select(Account).where(Account.client_id == client_id))
        expected = account.client_secret_hash if account else credentials.digest(credentials.new_client_secret())
        if not credentials.digest_matches(client_secret, expected) or account is None:
            raise AuthenticationError("Client authentication failed: unknown client_id or wrong client_secret.")
        if not account.is_verified:
            raise AccountNotVerifiedError(
                "This account's email is not verified yet. Open the link in the verification email "
                "(or POST /verify/resend to get a new one), then request a token again."
            )
        return self._tokens.issue(account.id, OWNER, account.id, account.secret_generation)

    def token_for_login(self, email: str, password: str, remote_addr: str = "") -> LoginResult:
        """Email and password login: a token for that user. Every wrong email or password
        gets the same error, and repeated failures are throttled per email."""
        email = normalize_email(email)
        self._throttle.check(email)
        with self._db.transaction() as session:
            user = session.scalar(select(User).where(User.email == email))
            client_name = user.account.client_name if user else ""
        if not self._passwords.verify(user.password_hash if user else None, password):
            self._throttle.record_failure(email, remote_addr)
            raise AuthenticationError("Wrong email or password.")
        if user.email_verified_at is None:
            raise AccountNotVerifiedError(
                "Your email is not verified yet. Open the link in the verification email "
                "(or POST /verify/resend to get a new one), then sign in again."
            )
        self._throttle.clear(email)
        return LoginResult(self._tokens.issue(user.account_id, USER, user.id, user.token_generation), client_name)

    def authenticate(self, bearer_token: str) -> Principal:
        """Decode a bearer token and check it has not been revoked since it was issued."""
        principal = self._tokens.decode(bearer_token)
        with self._db.transaction() as session:
            if principal.kind == OWNER:
                account = session.get(Account, principal.account_id)
                current = account.secret_generation if account else None
            else:
                user = session.get(User, principal.subject_id)
                current = user.token_generation if user and user.account_id == principal.account_id else None
        if current != principal.generation:
            raise AuthenticationError("The access token has been revoked; request a new one.")
        return principal

    # -- credentials ------------------------------------------------------------------

    def get_account(self, account_id: str) -> Account:
        with self._db.transaction() as session:
            account = session.get(Account, account_id)
        if account is None:
            raise NotFoundError("Account not found.")
        return account

    def find_account(self, *, client_id: str | None = None, email: str | None = None) -> Account:
        with self._db.transaction() as session:
            if client_id:
                account = session.scalar(select(Account).where(Account.client_id == client_id))
            else:
                user = session.scalar(select(User).where(User.email == normalize_email(email or "")))
                account = user.account if user else None
        if account is None:
            raise NotFoundError("No account with that client_id or email.")
        return account

    def describe(self, principal: Principal) -> dict:
        """Who is calling, for ``GET /v1/account``."""
        with self._db.transaction() as session:
            account = session.get(Account, principal.account_id)
            user = session.get(User, principal.user_id) if principal.user_id else None
        if account is None:
            raise NotFoundError("Account not found.")
        return {
            "account_id": account.id,
            "client_id": account.client_id,
            "client_name": account.client_name,
            "verified": account.is_verified,
            "created_at": account.created_at,
            "plan": {"name": account.plan},
            "principal": {
                "type": principal.kind,
                "user_id": principal.user_id,
                "email": user.email if user else None,
                "role": user.role if user else "owner",
            },
            "token_expires_at": datetime.fromtimestamp(principal.expires_at, tz=account.created_at.tzinfo),
        }

    def all_accounts(self) -> list[Account]:
        with self._db.transaction() as session:
            return list(session.scalars(select(Account).order_by(Account.created_at)))

    def regenerate_secret_for(self, principal: Principal) -> NewCredentials:
        """Regenerate on behalf of a caller: the owner's token, or a user with the owner role."""
        if principal.kind == USER:
            with self._db.transaction() as session:
                user = session.get(User, principal.user_id)
            if user is None or user.role != "owner":
                raise PermissionDeniedError("Only the account owner may regenerate the client secret.")
        return self.regenerate_secret(principal.account_id)

    def regenerate_secret(self, account_id: str) -> NewCredentials:
        """Replace the client secret; the old one and every token issued with it stop working."""
        secret = credentials.new_client_secret()
        with self._db.transaction() as session:
            account = session.get(Account, account_id)
            if account is None:
                raise NotFoundError("Account not found.")
            account.client_secret_hash = credentials.digest(secret)
            account.secret_generation += 1
            account.secret_created_at = self._clock()
        log.info("client secret regenerated account=%s generation=%s", account.id, account.secret_generation)
        return NewCredentials(account, None, secret)


def normalize_email(email: str) -> str:
    return email.strip().lower()
