"""Approvals: the company's orders waiting for an approver, and the decisions on them.

Approvers and admins of the dealer see the pending orders with their lines and totals and
approve them, or reject them with a reason; the buyer who placed a pending order may withdraw
it (from its order page, decision "withdraw"). Nobody decides their own order.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mall.errors import DomainError
from storefront.services.approvals import (
    MAX_REASON,
    approve_order,
    can_decide,
    pending_approvals,
    reject_order,
    withdraw_order,
)

from .context import dealer_membership, dealer_required


def _forbidden(request):
    return render(request, "storefront/approvals.html", {"allowed": False}, status=403)


@dealer_required
def approvals(request, company):
    if not can_decide(dealer_membership(request)):
        return _forbidden(request)
    orders = list(pending_approvals(company))
    return render(
        request,
        "storefront/approvals.html",
        {"allowed": True, "orders": orders, "company": company, "max_reason": MAX_REASON},
    )


@require_POST
@dealer_required
def approval_decide(request, company, number: str):
    decision = request.POST.get("decision", "")
    if decision == "withdraw":
        return _withdraw(request, company, number)
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose to approve or to reject the order."))
        return redirect("storefront:approvals")
    if not can_decide(dealer_membership(request)):
        return _forbidden(request)
    try:
        if decision == "approve":
            order = approve_order(user=request.user, company=company, number=number)
            messages.success(request, _("Order %(number)s is approved and confirmed.") % {"number": order.number})
        else:
            order = reject_order(user=request.user, company=company, number=number, reason=request.POST.get("reason", ""))
            messages.success(request, _("Order %(number)s is rejected; the buyer has been told why.") % {"number": order.number})
    except DomainError as exc:
        if exc.details[0].code == "NOT_FOUND":
            raise Http404("No such order.") from None
        # Nothing was taken or changed: the order is still waiting (or someone decided first).
        for detail in exc.details:
            messages.error(request, detail.message)
    return redirect("storefront:approvals")


def _withdraw(request, company, number):
    try:
        order = withdraw_order(user=request.user, company=company, number=number)
    except DomainError as exc:
        if exc.details[0].code == "NOT_FOUND":
            raise Http404("No such order.") from None
        for detail in exc.details:
            messages.error(request, detail.message)
        return redirect("storefront:order_detail", number=number)
    messages.success(request, _("You withdrew order %(number)s; it is cancelled.") % {"number": order.number})
    return redirect("storefront:order_detail", number=order.number)
