"""API sign-in sessions (token families) and their single-use refresh tokens.

* `start_family` begins a session at tokenCreate; `issue_refresh_token` gives its first
  refresh token. Access tokens (mall/auth_tokens.py) carry the family id as `sid`.
* `rotate` (tokenRefresh) spends a refresh token with one conditional UPDATE (used_at IS
  NULL), so of two requests racing with the same token exactly one wins; it returns the
  user and the next refresh token. A token presented again after it was spent is taken as
  stolen: its whole family is revoked (after JWT_REFRESH_REUSE_LEEWAY_SECONDS).
* A password change or a deactivation ends every family: access tokens check the password
  digest and `is_active` on every request, refresh checks them too and revokes the family.
* `revoke` (tokenRevoke: sign out of one session), `revoke_all` (tokenRevokeAll, and the
  password-change page: sign out everywhere).
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from mall.errors import DomainError
from security.models import RefreshToken, TokenFamily

REFRESH_PREFIX = "dmr_"
MAX_REFRESH_LENGTH = 200

INVALID = ("INVALID_TOKEN", "This refresh token is not valid; sign in again.")
EXPIRED = ("TOKEN_EXPIRED", "This refresh token has expired; sign in again.")
REVOKED = ("TOKEN_REVOKED", "This session has ended (signed out, password changed or revoked); sign in again.")
REUSED = ("TOKEN_REUSED", "This refresh token was already used. Use the newest one; if you did not, sign in again.")


def password_digest(user) -> str:
    # Changes with the password (Django's session auth hash), as the access token's `pwd` claim.
    return user.get_session_auth_hash()[:64]


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def _error(detail) -> DomainError:
    code, message = detail
    return DomainError.single("refreshToken", code, message)


def start_family(user, *, ip_address: str | None = None, user_agent: str = "") -> TokenFamily:
    return TokenFamily.objects.create(
        user=user, password_digest=password_digest(user), ip_address=ip_address, user_agent=user_agent[:255]
    )


def issue_refresh_token(family: TokenFamily, now=None) -> str:
    now = now or timezone.now()
    raw = REFRESH_PREFIX + secrets.token_urlsafe(32)
    RefreshToken.objects.create(
        family=family, digest=_digest(raw), expires_at=now + timedelta(seconds=settings.JWT_REFRESH_TTL_SECONDS)
    )
    return raw


def _revoke_families(families, reason: str, now) -> int:
    return families.filter(revoked_at__isnull=True).update(revoked_at=now, revoked_reason=reason)


def _family_still_valid(family: TokenFamily) -> str | None:
    """Why this family must end now (a reason), or None when it may go on."""
    user = family.user
    if not user.is_active:
        return TokenFamily.RevokedReason.DEACTIVATED
    if not hmac.compare_digest(family.password_digest, password_digest(user)):
        return TokenFamily.RevokedReason.PASSWORD_CHANGE
    return None


def _token_row(raw: str):
    if not isinstance(raw, str) or not raw.startswith(REFRESH_PREFIX) or len(raw) > MAX_REFRESH_LENGTH:
        return None
    return RefreshToken.objects.select_related("family__user").filter(digest=_digest(raw)).first()


def rotate(raw: str, *, acting_user=None):
    """Spend a refresh token: (family, next refresh token), or DomainError. `acting_user`:
    the caller's own sign-in, if any; another user's token is refused as invalid."""
    now = timezone.now()
    failure = None
    with transaction.atomic():
        row = _token_row(raw)
        if row is None or (acting_user is not None and row.family.user_id != acting_user.pk):
            raise _error(INVALID)
        family = row.family
        if family.revoked_at is not None:
            raise _error(REVOKED)
        if row.expires_at <= now:
            raise _error(EXPIRED)
        if reason := _family_still_valid(family):
            _revoke_families(TokenFamily.objects.filter(pk=family.pk), reason, now)
            failure = REVOKED
        # The one statement that decides a race: only one caller sees used_at still NULL.
        elif RefreshToken.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now) == 1:
            return family, issue_refresh_token(family, now)
        else:
            used_at = RefreshToken.objects.values_list("used_at", flat=True).get(pk=row.pk)
            # The clock read now, not at the start: a racing winner may have spent it after that.
            if timezone.now() - used_at > timedelta(seconds=settings.JWT_REFRESH_REUSE_LEEWAY_SECONDS):
                _revoke_families(TokenFamily.objects.filter(pk=family.pk), TokenFamily.RevokedReason.REUSE, now)
            failure = REUSED
    raise _error(failure)  # after the block: the revocation above is committed


@transaction.atomic
def revoke(raw: str, *, acting_user=None) -> None:
    """Sign out of the session this refresh token belongs to (any of its tokens, used or not)."""
    row = _token_row(raw)
    if row is None or (acting_user is not None and row.family.user_id != acting_user.pk):
        raise _error(INVALID)
    _revoke_families(TokenFamily.objects.filter(pk=row.family_id), TokenFamily.RevokedReason.SIGN_OUT, timezone.now())


@transaction.atomic
def revoke_sessions(families, reason: str = TokenFamily.RevokedReason.SIGN_OUT) -> int:
    """End the given sessions (a queryset of TokenFamily: the back office's action)."""
    return _revoke_families(families, reason, timezone.now())


@transaction.atomic
def revoke_all(user, reason: str = TokenFamily.RevokedReason.SIGN_OUT_EVERYWHERE) -> int:
    """End every API session of this user; the number ended."""
    return _revoke_families(TokenFamily.objects.filter(user=user), reason, timezone.now())


@transaction.atomic
def purge_ended_sessions(now=None) -> int:
    """Delete the sessions no token of which can work any more: revoked, or with every refresh
    token expired, and older than an access token's life. Safe to run at any time."""
    now = now or timezone.now()
    settled = now - timedelta(seconds=settings.JWT_TTL_SECONDS)
    live_refresh = RefreshToken.objects.filter(family=models.OuterRef("pk"), expires_at__gt=now)
    ended = TokenFamily.objects.filter(created_at__lt=settled).filter(
        models.Q(revoked_at__lt=settled) | ~models.Exists(live_refresh)
    )
    deleted, _ = ended.delete()
    return deleted
