"""Company users: the dealer's own users with their roles and order limits.

Every user of the company sees the list; only its admins change roles and limits (an order
above a buyer's limit waits for an approver, see storefront/services/approvals.py).
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mall.errors import DomainError
from partners.invitations import listed_invitations
from partners.memberships import company_members, update_membership
from partners.models import Membership

from .context import dealer_membership, dealer_required

# Open invitations listed on the page (the company has at most INVITATION_MAX_PENDING unexpired).
MAX_INVITATIONS_SHOWN = 200


def _is_admin(request) -> bool:
    membership = dealer_membership(request)
    return membership is not None and membership.role == Membership.Role.ADMIN


@dealer_required
def company_users(request, company):
    return users_page(request, company)


def invitation_context(company, *, invite=None, invite_errors=()):
    now = timezone.now()
    invitations = list(listed_invitations(company, now)[:MAX_INVITATIONS_SHOWN])  # pending and recently expired
    for invitation in invitations:
        invitation.is_expired = invitation.expires_at <= now
    return {
        "invitations": invitations,
        "invite": invite or {"role": Membership.Role.BUYER},
        "invite_errors": list(invite_errors),
        "invitation_ttl_hours": settings.INVITATION_TTL_HOURS,
    }


def users_page(request, company, *, invite=None, invite_errors=(), status=200):
    """The users page; admins also see the open invitations and the invite form (INVITES)."""
    is_admin = _is_admin(request)
    context = {
        "company": company,
        "members": company_members(company),
        "is_admin": is_admin,
        "roles": Membership.Role.choices,
    }
    if is_admin:
        context.update(invitation_context(company, invite=invite, invite_errors=invite_errors))
    return render(request, "storefront/company_users.html", context, status=status)


@require_POST
@dealer_required
def company_user(request, company, pk: int):
    if not _is_admin(request):
        return render(
            request, "storefront/company_users.html",
            {"company": company, "members": [], "is_admin": False, "forbidden": True}, status=403,
        )
    try:
        membership = update_membership(
            actor=request.user,
            company=company,
            membership_id=pk,
            role=request.POST.get("role") or None,
            order_limit=request.POST.get("order_limit", ""),
        )
    except DomainError as exc:
        if exc.details[0].code == "NOT_FOUND":
            raise Http404("No such user.") from None
        for detail in exc.details:
            messages.error(request, detail.message)
        return redirect("storefront:company_users")
    who = membership.user.email or membership.user.get_username()
    messages.success(request, _("Saved the role and order limit of %(who)s.") % {"who": who})
    return redirect("storefront:company_users")
