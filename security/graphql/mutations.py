"""API sign-in: tokenCreate, tokenRefresh, tokenRevoke, tokenRevokeAll.

Access tokens (`token`) live JWT_TTL_SECONDS (15 minutes); `refreshToken` is single use:
tokenRefresh spends it and answers a new pair. Call tokenRefresh and tokenRevoke without
an Authorization header (the access token may have expired); with one, the refresh token
must be the caller's own.
"""

import graphene

from mall.auth_tokens import create_access_token
from mall.errors import DomainError
from mall.graphql_types import Error, errors_from
from partners.graphql.viewer import NOT_AUTHENTICATED, viewer
from security import tokens
from security.lockout import client_ip
from security.sign_in import LockedOut, api_sign_in


def _pair(user, family) -> dict:
    return {"token": create_access_token(user, family), "refresh_token": tokens.issue_refresh_token(family)}


class SignInError(Error):
    """An error of tokenCreate: `field`, `code`, `message`, and for LOCKED_OUT `retryAfter`."""

    retry_after = graphene.Int(
        description="LOCKED_OUT: seconds until the lock ends and sign-in may be tried again; null for other codes."
    )


def _sign_in_errors(exc: DomainError) -> list[SignInError]:
    retry_after = exc.retry_after if isinstance(exc, LockedOut) else None
    return [SignInError(field=d.field, code=d.code, message=d.message, retry_after=retry_after) for d in exc.details]


class TokenCreate(graphene.Mutation):
    """Exchange e-mail and password (and, for vendor staff with two-factor, `otpCode`) for an
    access token (send it as `Authorization: Bearer`) and a refresh token."""

    class Arguments:
        email = graphene.String(required=True)
        password = graphene.String(required=True)
        otp_code = graphene.String(description="Vendor staff with two-factor: the code from the authenticator app.")

    token = graphene.String()
    refresh_token = graphene.String(description="Single use: spend it with tokenRefresh for a new pair.")
    errors = graphene.List(graphene.NonNull(SignInError), required=True)

    @staticmethod
    def mutate(root, info, email, password, otp_code=None):
        request = info.context
        try:
            user = api_sign_in(request, email, password, otp_code)
        except DomainError as exc:
            return TokenCreate(errors=_sign_in_errors(exc))
        family = tokens.start_family(user, ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
        return TokenCreate(**_pair(user, family), errors=[])


class TokenRefresh(graphene.Mutation):
    """Spend a refresh token for a new access token and the next refresh token. A refresh
    token used twice ends its whole session (it was copied)."""

    class Arguments:
        refresh_token = graphene.String(required=True)

    token = graphene.String()
    refresh_token = graphene.String()
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, refresh_token):
        try:
            family, next_refresh = tokens.rotate(refresh_token, acting_user=viewer(info))
        except DomainError as exc:
            return TokenRefresh(errors=errors_from(exc))
        return TokenRefresh(token=create_access_token(family.user, family), refresh_token=next_refresh, errors=[])


class TokenRevoke(graphene.Mutation):
    """Sign out of one session: its refresh tokens and access tokens stop working."""

    class Arguments:
        refresh_token = graphene.String(required=True)

    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, refresh_token):
        try:
            tokens.revoke(refresh_token, acting_user=viewer(info))
        except DomainError as exc:
            return TokenRevoke(errors=errors_from(exc))
        return TokenRevoke(errors=[])


class TokenRevokeAll(graphene.Mutation):
    """Sign out everywhere: every API session of the signed-in user ends."""

    revoked_sessions = graphene.Int(description="How many sessions ended.")
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info):
        user = viewer(info)
        if user is None:
            code, message = NOT_AUTHENTICATED
            return TokenRevokeAll(errors=[Error(field=None, code=code, message=message)])
        return TokenRevokeAll(revoked_sessions=tokens.revoke_all(user), errors=[])


class SecurityMutation(graphene.ObjectType):
    token_refresh = TokenRefresh.Field()
    token_revoke = TokenRevoke.Field()
    token_revoke_all = TokenRevokeAll.Field()
