"""Access tokens of the GraphQL API: PyJWT, HS256, signed with SECRET_KEY.

Claims: sub (the user id, a string), email, iat, exp (iat + JWT_TTL_SECONDS),
type "access", and pwd (a digest that changes with the password, so a password change
revokes the user's tokens). Nothing here knows about GraphQL; the view and tokenCreate use it.
"""

import hmac
from datetime import UTC, datetime, timedelta

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

ACCESS = "access"
MAX_EMAIL_LENGTH = 254
MAX_PASSWORD_LENGTH = 4096
MAX_TOKEN_LENGTH = 4096


class TokenError(Exception):
    """A bearer token that cannot be used. `code` is INVALID_TOKEN or TOKEN_EXPIRED."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


def create_access_token(user, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    claims = {
        "sub": str(user.pk),
        "email": user.email,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=settings.JWT_TTL_SECONDS)).timestamp()),
        "type": ACCESS,
        # Changes with the password: a password change (or reset) revokes every token.
        "pwd": user.get_session_auth_hash()[:20],
    }
    return jwt.encode(claims, settings.SECRET_KEY, algorithm=settings.JWT_ALGORITHM)


def user_for_token(token: str):
    """The active user a valid access token names, or raise TokenError."""
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
        raise TokenError("TOKEN_EXPIRED", "The access token has expired; create a new one.") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("INVALID_TOKEN", "The access token is invalid.") from exc
    if claims.get("type") != ACCESS:
        raise TokenError("INVALID_TOKEN", "This is not an access token.")
    try:
        user_id = int(claims["sub"])
    except (TypeError, ValueError) as exc:
        raise TokenError("INVALID_TOKEN", "The access token is invalid.") from exc
    user = (
        get_user_model()
        .objects.select_related("membership__company__tier", "membership__company__region")
        .filter(pk=user_id, is_active=True)
        .first()
    )
    if user is None:
        raise TokenError("INVALID_TOKEN", "The access token's user is unknown or inactive.")
    if not hmac.compare_digest(str(claims.get("pwd", "")), user.get_session_auth_hash()[:20]):
        raise TokenError("INVALID_TOKEN", "The password has changed since this token was made; sign in again.")
    return user


def authenticate_by_email(email: str, password: str):
    """The active user with this e-mail (any case) and password, or None.

    Unknown e-mail, wrong password and inactive user are indistinguishable to the caller;
    a password hash is computed in every case so timing does not tell them apart either.
    """
    email = (email or "").strip()
    if not email or len(email) > MAX_EMAIL_LENGTH or not password or len(password) > MAX_PASSWORD_LENGTH:
        return None
    if "\x00" in email or "\x00" in password:
        return None
    candidates = list(get_user_model().objects.filter(email__iexact=email).order_by("pk")[:5])
    if not candidates:
        make_password(password)  # same work as a real check
        return None
    for user in candidates:
        if user.check_password(password) and user.is_active:
            return user
    return None
