"""Invitations: a dealer admin invites a person by e-mail; the person opens the link, chooses a
name and password, and is a user of the company with the role and order limit chosen.

- The link's token is `secrets.token_urlsafe(32)` (256 random bits); only its SHA-256 is
  stored, so a copy of the database or the back office cannot sign anyone up.
- A link works once: accepting is one conditional UPDATE (still open, not expired), so two
  requests with the same link create one user.
- A link expires INVITATION_TTL_HOURS after it was sent; resending gives a new token (the old
  link stops working) and a new expiry.
- Invites of one company are serialised on its row (as partners/memberships.py does), so the
  per-company cap INVITATION_MAX_PENDING and "one open invitation per address" hold.
- The e-mail is written in the inviter's language and sent after commit.
- Invitations expired INVITATION_EXPIRED_KEEP_DAYS ago are deleted by a periodic clean-up
  (`invitation_cleanup.purge_expired`); until then they are listed and may be sent again.

Every function is one transaction and raises DomainError (field, code, message).
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from mall.errors import DomainError, ErrorDetail
from partners.emails import InvalidDomain, canonical_email
from partners.invitation_cleanup import keep_expired
from partners.memberships import is_company_admin, parse_limit, record_joined
from partners.messaging import parse_id
from partners.models import Company, Invitation, Membership

logger = logging.getLogger(__name__)

# The storefront's accept page (storefront/urls.py, "invitation_accept"); a test keeps them equal.
ACCEPT_PATH = "/invitations/{token}/"
# Longest token a link can carry (token_urlsafe(32) is 43 characters); longer input is unknown.
MAX_TOKEN_LENGTH = 100
MAX_NAME_LENGTH = 150  # Django's first_name / last_name


@dataclass(frozen=True)
class Sent:
    """An invitation just (re)issued, and the one copy of its token (for the e-mail only)."""

    invitation: Invitation
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def accept_url(token: str) -> str:
    return settings.SITE_URL + ACCEPT_PATH.format(token=token)


def ttl() -> timedelta:
    return timedelta(hours=settings.INVITATION_TTL_HOURS)


def normalise_email(value) -> str:
    """Trimmed and lower-cased (sign-in matches e-mail without case), the domain in its IDNA
    ASCII form (partners/emails.py: `zz@bücher.example` is `zz@xn--bcher-kva.example`, one
    mailbox, one address); a DomainError if it is not an address. A NUL byte anywhere makes it
    not an address (never quietly dropped), and so does U+FFFD, which /graphql/ puts in a NUL's
    place: the page and the API refuse the same input alike (Django's validator would take
    U+FFFD in the domain). A domain that is not valid IDNA (a broken `xn--` label) is INVALID."""
    email = str(value or "").strip().lower()
    if not email:
        raise DomainError.single("email", "REQUIRED", _("Enter the e-mail address of the person to invite."))
    try:
        if len(email) > 254 or "\x00" in email or "\ufffd" in email:
            raise ValidationError("too long, or a NUL byte")
        validate_email(email)
        email = canonical_email(email)
        if len(email) > 254:  # the ASCII form is longer than the Unicode one
            raise ValidationError("too long")
        validate_email(email)
    except (ValidationError, InvalidDomain):
        raise DomainError.single("email", "INVALID", _("Enter a valid e-mail address, such as name@example.com.")) from None
    return email


def email_has_account(email: str) -> bool:
    User = get_user_model()
    return User.objects.filter(Q(email__iexact=email) | Q(**{f"{User.USERNAME_FIELD}__iexact": email})).exists()


def open_invitations(company: Company):
    """The company's invitations not accepted or revoked (expired ones too: they can be
    resent), newest first, with who sent them."""
    return Invitation.objects.filter(company=company, accepted_at__isnull=True, revoked_at__isnull=True).select_related(
        "invited_by"
    )


def listed_invitations(company: Company, now: datetime | None = None):
    """What the Users page and `companyInvitations` list: the open invitations that are
    pending, or expired less than INVITATION_EXPIRED_KEEP_DAYS ago (older ones wait for the
    clean-up and are not shown even before it runs)."""
    now = now or timezone.now()
    return open_invitations(company).filter(expires_at__gt=now - keep_expired())


def pending_count(company: Company, now: datetime) -> int:
    return open_invitations(company).filter(expires_at__gt=now).count()


def _lock_company_as_admin(actor, company: Company) -> None:
    # Serialise the company's invitation changes; the actor's role is read after the lock.
    # NO KEY UPDATE: an accept meanwhile (it inserts a Membership, whose foreign key takes
    # KEY SHARE on this row) goes on instead of deadlocking with a revoke waiting for its row.
    Company.objects.select_for_update(no_key=True).filter(pk=company.pk).first()
    if not is_company_admin(actor, company):
        raise DomainError.single(None, "NOT_ALLOWED", _("Only your company's admins invite users and manage invitations."))


def _check_cap(company: Company, now: datetime) -> None:
    if pending_count(company, now) >= settings.INVITATION_MAX_PENDING:
        raise DomainError.single(
            None, "TOO_MANY_PENDING",
            _("Your company has %(count)s invitations waiting, the most allowed. Revoke some or wait until they are accepted.")
            % {"count": settings.INVITATION_MAX_PENDING},
        )


def _own_open_invitation(company: Company, invitation_id, *, lock: bool = True) -> Invitation:
    pk = parse_id(invitation_id)
    queryset = Invitation.objects.filter(pk=pk, company=company) if pk else Invitation.objects.none()
    if lock:
        queryset = queryset.select_for_update()
    invitation = queryset.first()
    # Another company's invitation is "not found", like a missing one.
    if invitation is None:
        raise DomainError.single("id", "NOT_FOUND", _("No such invitation in your company."))
    if invitation.accepted_at is not None:
        raise DomainError.single("id", "ALREADY_ACCEPTED", _("This invitation was accepted already."))
    return invitation


@transaction.atomic
def invite(*, actor, company: Company, email, role=Membership.Role.BUYER, order_limit=None, now=None) -> Sent:
    """Invite `email` to `company` as `role` with `order_limit` (None: no limit). `actor` must be
    an admin of the company. The e-mail goes out after commit, in the current language."""
    now = now or timezone.now()
    _lock_company_as_admin(actor, company)
    errors = []
    try:
        email = normalise_email(email)
    except DomainError as exc:
        errors += exc.details
    if role not in Membership.Role.values:
        errors.append(ErrorDetail("role", "INVALID", _("Choose a role: buyer, approver or admin.")))
    try:
        limit = parse_limit(order_limit)
    except DomainError as exc:
        errors += exc.details
    if errors:
        raise DomainError(*errors)
    if email_has_account(email):
        # Which company the account belongs to is not said: that is another dealer's business.
        raise DomainError.single(
            "email", "EMAIL_TAKEN",
            _("This e-mail address already has a DealerMall account, and a user belongs to one company only. "
              "Invite another address, or ask your account manager to move the account."),
        )
    # Locked: the clean-up (purge_expired) may delete a long-expired one meanwhile.
    existing = Invitation.objects.select_for_update().filter(
        company=company, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).first()
    if existing is not None and existing.expires_at > now:
        raise DomainError.single(
            "email", "ALREADY_INVITED", _("This address is invited already; send the invitation again from the list instead.")
        )
    _check_cap(company, now)
    token, digest = new_token()
    fields = {
        "role": role, "order_limit": limit, "language": _language(), "invited_by": actor, "created_at": now,
        "sent_at": now, "send_count": 1, "expires_at": now + ttl(), "token_hash": digest,
    }
    if existing is not None:  # an expired invitation of the same address is issued afresh
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save(update_fields=[*fields])
        invitation = existing
    else:
        invitation = Invitation.objects.create(company=company, email=email, **fields)
    _send_after_commit(invitation, token, sender=actor)
    return Sent(invitation, token)


@transaction.atomic
def resend(*, actor, company: Company, invitation_id, now=None) -> Sent:
    """A new link for an open invitation (expired or not): the old link stops working and the
    time starts again. At most once per INVITATION_RESEND_INTERVAL_SECONDS."""
    now = now or timezone.now()
    _lock_company_as_admin(actor, company)
    invitation = _own_open_invitation(company, invitation_id)
    if invitation.revoked_at is not None:
        raise DomainError.single("id", "REVOKED", _("This invitation was revoked; invite the address again instead."))
    if now - invitation.sent_at < timedelta(seconds=settings.INVITATION_RESEND_INTERVAL_SECONDS):
        raise DomainError.single("id", "SENT_RECENTLY", _("This invitation was sent a moment ago; wait a minute before sending it again."))
    if email_has_account(invitation.email):
        raise DomainError.single(
            "email", "EMAIL_TAKEN",
            _("This e-mail address already has a DealerMall account, and a user belongs to one company only. "
              "Invite another address, or ask your account manager to move the account."),
        )
    if invitation.expires_at <= now:  # an expired one comes back to life: it counts again
        _check_cap(company, now)
    token, digest = new_token()
    invitation.token_hash = digest
    invitation.sent_at = now
    invitation.expires_at = now + ttl()
    invitation.send_count += 1
    invitation.language = _language()
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count", "language"])
    _send_after_commit(invitation, token, sender=actor)
    return Sent(invitation, token)


@transaction.atomic
def revoke(*, actor, company: Company, invitation_id, now=None) -> Invitation:
    """The link stops working. Revoking a revoked invitation changes nothing."""
    now = now or timezone.now()
    _lock_company_as_admin(actor, company)
    invitation = _own_open_invitation(company, invitation_id)
    if invitation.revoked_at is None:
        invitation.revoked_at = now
        invitation.revoked_by = actor
        invitation.save(update_fields=["revoked_at", "revoked_by"])
    return invitation


# ------------------------------------------------------------------ the invited person

def _link_problem(invitation: Invitation | None, now: datetime) -> DomainError | None:
    if invitation is None:
        return DomainError.single(
            "token", "UNKNOWN",
            _("This invitation link is not valid. Open the whole link from the e-mail, or ask your company's admin for a new invitation."),
        )
    status = invitation.status_at(now)
    if status == Invitation.Status.ACCEPTED:
        return DomainError.single("token", "USED", _("This invitation was used already. Sign in with the e-mail address and the password chosen then."))
    if status == Invitation.Status.REVOKED:
        return DomainError.single("token", "REVOKED", _("This invitation was withdrawn by your company's admin. Ask them for a new one if you still need access."))
    if status == Invitation.Status.EXPIRED:
        return DomainError.single("token", "EXPIRED", _("This invitation has expired. Ask your company's admin to send it again."))
    if not invitation.company.is_active:
        return DomainError.single("token", "COMPANY_INACTIVE", _("This company's account is closed; the invitation cannot be used."))
    return None


def invitation_for_token(token, now=None) -> Invitation:
    """The open invitation of a link (with its company), or the DomainError that says why the
    link does not work: UNKNOWN, USED, REVOKED, EXPIRED. Reads only."""
    now = now or timezone.now()
    token = str(token or "")
    invitation = None
    if 0 < len(token) <= MAX_TOKEN_LENGTH:
        invitation = Invitation.objects.select_related("company", "invited_by").filter(token_hash=hash_token(token)).first()
    problem = _link_problem(invitation, now)
    if problem:
        raise problem
    return invitation


def _clean_name(value, field: str, errors: list, required_message: str) -> str:
    name = str(value or "").replace("\x00", "").strip()
    if not name:
        errors.append(ErrorDetail(field, "REQUIRED", required_message))
    elif len(name) > MAX_NAME_LENGTH:
        errors.append(ErrorDetail(field, "TOO_LONG", _("At most %(count)s characters.") % {"count": MAX_NAME_LENGTH}))
    return name


@transaction.atomic
def accept(*, token, first_name, last_name, password, now=None):
    """Create the invited user with the name and password chosen, in the company with the role
    and limit of the invitation, and use the link up. Returns the new user (not signed in)."""
    now = now or timezone.now()
    invitation = invitation_for_token(token, now)
    errors = []
    first = _clean_name(first_name, "first_name", errors, _("Enter your first name."))
    last = _clean_name(last_name, "last_name", errors, _("Enter your last name."))
    User = get_user_model()
    user = User(username=invitation.email, email=invitation.email, first_name=first, last_name=last)
    password = str(password or "")
    if not password:
        errors.append(ErrorDetail("password", "REQUIRED", _("Choose a password.")))
    else:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            errors += [
                ErrorDetail("password", (error.code or "invalid").upper(), " ".join(error.messages)) for error in exc.error_list
            ]
    if errors:
        raise DomainError(*errors)
    # The one step that uses the link up: a second request with it waits here for the first
    # to commit, then matches no row.
    taken = Invitation.objects.filter(
        pk=invitation.pk, token_hash=invitation.token_hash, accepted_at__isnull=True, revoked_at__isnull=True,
        expires_at__gt=now,
    ).update(accepted_at=now)
    if not taken:  # used, revoked or resent (a new token) since it was read above
        now_row = Invitation.objects.select_related("company").filter(token_hash=invitation.token_hash).first()
        raise _link_problem(now_row, now) or _link_problem(None, now)
    if email_has_account(invitation.email):
        raise _email_taken_on_accept()
    user.set_password(password)
    try:
        with transaction.atomic():  # another company's invitation of the same address, at the same moment
            user.save()
    except IntegrityError:
        raise _email_taken_on_accept() from None
    membership = Membership.objects.create(
        user=user, company=invitation.company, role=invitation.role, order_limit=invitation.order_limit
    )
    Invitation.objects.filter(pk=invitation.pk).update(accepted_user=user)
    record_joined(invitation, user, membership)  # in the audit log
    return user


def _email_taken_on_accept() -> DomainError:
    return DomainError.single(
        "token", "EMAIL_TAKEN",
        _("This e-mail address has a DealerMall account already. Sign in with it, or ask your company's admin to invite another address."),
    )


# ------------------------------------------------------------------ the e-mail

def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _send_after_commit(invitation: Invitation, token: str, *, sender) -> None:
    """Render now (in the inviter's language) and send once the invitation is committed."""
    with translation.override(invitation.language):
        expires = timezone.localtime(invitation.expires_at)
        context = {
            "company": invitation.company.name,
            "inviter": (sender.get_full_name() or sender.email) if sender else "",
            "role": invitation.get_role_display(),
            "link": accept_url(token),
            "expires": f"{formats.date_format(expires, 'DATETIME_FORMAT')} {expires.tzname()}",
            "hours": settings.INVITATION_TTL_HOURS,
        }
        subject = " ".join(render_to_string("partners/email/invitation_subject.txt", context).split())
        body = render_to_string("partners/email/invitation_body.txt", context)
    recipient = invitation.email
    transaction.on_commit(lambda: _send(subject, body, recipient))


def _send(subject: str, body: str, recipient: str) -> None:
    # After commit: a mail server that is down costs the e-mail (the admin can resend), never the invitation.
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=False)
    except Exception:  # noqa: BLE001
        logger.exception("could not send an invitation e-mail")
