"""A dealer's own users: who they are, their role and their order limit (buyer approvals).

Only a dealer admin of the company changes roles and limits, and only of its own company's
users. The company always keeps at least one admin: the last one cannot be demoted. Changes of
one company are serialised on its row, so two admins demoting each other at once cannot leave
it with none. An admin does not demote themselves (OWN_ROLE): another admin does it, so
nobody loses the Users page by a slip of their own role select. Every change of a role or a limit is in the audit log (before and after).
"""

import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from audit import services as audit
from audit.changes import json_value
from audit.models import AuditEntry
from audit.services import Tracker
from mall.errors import DomainError, ErrorDetail
from partners.messaging import parse_id
from partners.models import Company, Membership

# What decides a user's access and money in the company: in the audit log with before and after.
MEMBERSHIP_AUDITED = ["role", "order_limit"]
# Membership.order_limit's column: 14 digits, 2 after the point.
MAX_LIMIT = Decimal("999999999999.99")
# A comma is read only as a thousands separator ("1,250.00"); "12,50" (a decimal comma) is
# refused rather than read as 1,250.
THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d*)?")


def company_members(company: Company):
    """The company's users with their roles and limits: admins, approvers, then buyers."""
    rank = {Membership.Role.ADMIN: 0, Membership.Role.APPROVER: 1, Membership.Role.BUYER: 2}
    rows = list(Membership.objects.filter(company=company).select_related("user"))
    return sorted(rows, key=lambda m: (rank.get(m.role, 9), (m.user.email or m.user.get_username()).lower(), m.pk))


def is_company_admin(user, company: Company) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.filter(user_id=user.pk, company=company, role=Membership.Role.ADMIN).exists()


def parse_limit(value) -> Decimal | None:
    """An order limit from input: None or "" for no limit, else an amount of at most two
    decimals, not negative; a DomainError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    try:
        amount = None if "," in text and not THOUSANDS.fullmatch(text) else Decimal(text.replace(",", ""))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise DomainError.single("order_limit", "INVALID", _("Give the order limit as an amount such as 500.00, or leave it empty for no limit."))
    if amount < 0:
        raise DomainError.single("order_limit", "NEGATIVE", _("An order limit cannot be negative."))
    # Size first: quantizing 1e30 to cents overflows the decimal context.
    if amount > MAX_LIMIT:
        raise DomainError.single("order_limit", "TOO_LARGE", _("That order limit is too large; leave it empty for no limit."))
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError.single("order_limit", "INVALID", _("An order limit has at most two decimals."))
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def update_membership(*, actor, company: Company, membership_id, role: str | None = None, order_limit=...) -> Membership:
    """Set a company user's role and/or order limit (`order_limit=None` removes the limit;
    leave it out to keep it). `actor` must be an admin of `company`."""
    # One company's changes wait for each other here, so the actor's role and the admin count
    # read below are current (an admin demoted a moment ago is no longer one).
    Company.objects.select_for_update().filter(pk=company.pk).first()
    if not is_company_admin(actor, company):
        raise DomainError.single(None, "NOT_ALLOWED", _("Only your company's admins change users' roles and limits."))
    errors = []
    if role is not None and role not in Membership.Role.values:
        errors.append(ErrorDetail("role", "INVALID", _("Choose a role: buyer, approver or admin.")))
    limit = ...
    if order_limit is not ...:
        try:
            limit = parse_limit(order_limit)
        except DomainError as exc:
            errors += exc.details
    if errors:
        raise DomainError(*errors)
    pk = parse_id(membership_id)
    # Another company's user is "not found", like a missing one.
    membership = Membership.objects.select_related("user").filter(pk=pk, company=company).first() if pk else None
    if membership is None:
        raise DomainError.single("id", "NOT_FOUND", _("No such user in your company."))
    tracked = Tracker(Membership, membership.pk, include=MEMBERSHIP_AUDITED)  # before -> after, audited
    changed = []
    if role is not None and role != membership.role:
        if membership.role == Membership.Role.ADMIN:
            others = Membership.objects.filter(company=company, role=Membership.Role.ADMIN, user__is_active=True)
            if not others.exclude(pk=membership.pk).exists():
                raise DomainError.single(
                    "role", "LAST_ADMIN", _("Your company needs at least one admin: make another user admin first.")
                )
            if membership.user_id == actor.pk:  # never by a slip of one's own select: another admin decides
                raise DomainError.single(
                    "role", "OWN_ROLE", _("You cannot change your own role. Ask another admin of your company to do it.")
                )
        membership.role = role
        changed.append("role")
    if limit is not ... and limit != membership.order_limit:
        membership.order_limit = limit
        changed.append("order_limit")
    if changed:
        membership.save(update_fields=changed)
        tracked.record()
    return membership


def record_joined(invitation, user, membership: Membership) -> None:
    """The audit log's entries of a user who joined by invitation (the actor is the new user,
    signed out until now, or whoever the request names): the user, and the membership with its
    role and order limit, each as created (before: null)."""
    note = f"accepted invitation #{invitation.pk} sent by {invitation.invited_by.email if invitation.invited_by else 'staff'}"
    audit.record(
        AuditEntry.Action.CREATE, user, note=note,
        changes={"email": [None, user.email], "is_active": [None, user.is_active]},
    )
    audit.record(
        AuditEntry.Action.CREATE, membership, note=note,
        changes={
            "company": [None, f"{invitation.company} (#{invitation.company_id})"],
            "role": [None, membership.role],
            "order_limit": [None, json_value(membership.order_limit)],
        },
    )
