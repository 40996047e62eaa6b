"""Company users: the dealer's own users with their roles and order limits.

Every user of the company sees the list; only its admins change roles and limits (an order
above a buyer's limit waits for an approver, see storefront/services/approvals.py).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mall.errors import DomainError
from partners.memberships import company_members, update_membership
from partners.models import Membership

from .context import dealer_membership, dealer_required


def _is_admin(request) -> bool:
    membership = dealer_membership(request)
    return membership is not None and membership.role == Membership.Role.ADMIN


@dealer_required
def company_users(request, company):
    return render(
        request,
        "storefront/company_users.html",
        {
            "company": company,
            "members": company_members(company),
            "is_admin": _is_admin(request),
            "roles": Membership.Role.choices,
        },
    )


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
