"""Access tokens of the GraphQL API: PyJWT, HS256, signed with SECRET_KEY.

Claims: sub (the user id, a string), email, iat, exp (iat + JWT_TTL_SECONDS, 15 minutes by
default), type "access", sid (the API sign-in session, security.TokenFamily: revoking it
ends the token), and pwd (a digest that changes with the password, so a password change
revokes the user's tokens). `user_for_token` checks all of it with one query (the session
joined to its active user). Refresh tokens are opaque and live in security/tokens.py.
Nothing here knows about GraphQL; the view and tokenCreate use it.
"""

import hmac
import uuid
from datetime import UTC, datetime, timedelta

import jwt
from django.conf import settings

from security.models import TokenFamily
from security.tokens import start_family

ACCESS = "access"
MAX_TOKEN_LENGTH = 4096


class TokenError(Exception):
    """A bearer token that cannot be used. `code` is INVALID_TOKEN or TOKEN_EXPIRED."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


def create_access_token(user, family: TokenFamily | None = None, now: datetime | None = None) -> str:
    """An access token of `family` (a new API session of the user when None: tests, scripts)."""
    now = now or datetime.now(UTC)
    family = family or start_family(user)
    claims = {
        "sub": str(user.pk),
        "email": user.email,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=settings.JWT_TTL_SECONDS)).timestamp()),
        "type": ACCESS,
        "sid": str(family.pk),
        # Changes with the password: a password change (or reset) revokes every token.
        "pwd": user.get_session_auth_hash()[:20],
    }
    return jwt.encode(claims, settings.SECRET_KEY, algorithm=settings.JWT_ALGORITHM)


def user_for_token(token: str):
    """The active user a valid access token of a live session names, or raise TokenError."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("INVALID_TOKEN", "The access token is malformed.")
    try:
        claims = jwt.decode(
            token,
            settings.SECRET_KEY,
            algorithms=[settings.JWT_ALGORITHM],
            options={"require": ["sub", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("TOKEN_EXPIRED", "The access token has expired; refresh it or sign in again.") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("INVALID_TOKEN", "The access token is invalid.") from exc
    if claims.get("type") != ACCESS:
        raise TokenError("INVALID_TOKEN", "This is not an access token.")
    try:
        user_id = int(claims["sub"])
        session_id = uuid.UUID(str(claims.get("sid")))
    except (TypeError, ValueError) as exc:
        raise TokenError("INVALID_TOKEN", "The access token is invalid; sign in again.") from exc
    family = (
        TokenFamily.objects.select_related("user__membership__company__tier", "user__membership__company__region")
        .filter(pk=session_id, user_id=user_id, user__is_active=True, revoked_at__isnull=True)
        .first()
    )
    if family is None:
        raise TokenError("INVALID_TOKEN", "The access token's session has ended or its user is inactive; sign in again.")
    user = family.user
    if not hmac.compare_digest(str(claims.get("pwd", "")), user.get_session_auth_hash()[:20]):
        raise TokenError("INVALID_TOKEN", "The password has changed since this token was made; sign in again.")
    return user
