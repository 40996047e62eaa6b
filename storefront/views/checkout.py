"""Checkout: review the priced cart, choose the ship-to, write a PO number, delivery date and
note, then confirm once (or submit for approval when the total is above the buyer's limit).

The confirm form carries an idempotency key made when the page was shown, so a double
click or a resubmitted form gets the same order back instead of a second one.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from deals.selectors import attributable_deals
from mall.errors import DomainError
from partners.models import CreditAccount
from storefront.forms import CheckoutForm
from storefront.services.approvals import over_limit
from storefront.services.card_payments import card_payments_enabled
from storefront.services.checkout import checkout_complete
from storefront.services.checkout_details import MAX_NOTE, MAX_PO_NUMBER, company_addresses
from storefront.views.rebates import rebate_credit_offer

from .cart import build_cart
from .context import dealer_membership, dealer_required, remember_cart_count

DETAIL_FIELDS = ("ship_to_address_id", "requested_delivery_date", "po_number", "note")


def _render(request, company, *, key: str, errors=(), entered=None, status=200):
    cart = build_cart(request.user, company)
    remember_cart_count(request, len(cart.rows))
    credit = CreditAccount.objects.filter(company=company).first()
    addresses = company_addresses(company)
    total = cart.priced.total if cart.priced else None
    over_credit = bool(credit and total is not None and total > credit.available)
    limit = dealer_membership(request).order_limit
    entered = entered or {}
    chosen = str(entered.get("ship_to_address_id") or "")
    if not chosen and addresses and addresses[0].is_default_shipping:
        chosen = str(addresses[0].pk)  # the default delivery address, preselected
    return render(
        request,
        "storefront/checkout.html",
        {
            "cart": cart,
            "company": company,
            "credit": credit,
            "over_credit": over_credit,
            "addresses": addresses,
            "chosen_address": chosen,
            "entered": entered,
            "today": timezone.localdate().isoformat(),
            "max_po": MAX_PO_NUMBER,
            "max_note": MAX_NOTE,
            # Buyer approvals: above the buyer's own limit the order waits for an approver.
            "order_limit": limit,
            "needs_approval": total is not None and over_limit(limit, total),
            "form": CheckoutForm(initial={"idempotency_key": key, "expected_total": total}),
            "errors": list(errors),
            "card_enabled": card_payments_enabled(),
            "deals": list(attributable_deals(company, timezone.now())),  # Deals: orders for a prospect
            "rebate": rebate_credit_offer(company, total),  # Rebates: the wallet and how much of it may pay
        },
        status=status,
    )


@dealer_required
def checkout(request, company):
    if request.method != "POST":
        return _render(request, company, key=CheckoutForm.new_key())
    form = CheckoutForm(request.POST)
    entered = {name: request.POST.get(name, "") for name in DETAIL_FIELDS}
    if not form.is_valid():
        problems = [_("This checkout form was incomplete or has expired; please review your order and confirm again.")]
        return _render(request, company, key=CheckoutForm.new_key(), errors=problems, entered=entered, status=400)
    key = form.cleaned_data["idempotency_key"]
    data = form.cleaned_data
    try:
        result = checkout_complete(
            user=request.user,
            company=company,
            idempotency_key=key,
            expected_total=data.get("expected_total"),
            payment_method=data.get("payment_method") or "on_account",  # Payments
            deal_id=data.get("deal_id"),  # Deals
            rebate_credit=data.get("rebate_credit"),  # Rebates
            ship_to_address_id=data.get("ship_to_address_id") or None,
            po_number=data.get("po_number"),
            requested_delivery_date=data.get("requested_delivery_date") or None,
            note=data.get("note"),
        )
    except DomainError as exc:
        # Nothing was written; the same key may be used again once the problem is fixed.
        return _render(request, company, key=key, errors=[d.message for d in exc.details], entered=entered, status=400)
    order = result.order
    if order.status == order.Status.PENDING_APPROVAL:
        if result.created:
            messages.success(request, _("Order %(number)s is waiting for approval by your company's approvers; "
                                        "nothing is charged or reserved until it is approved.") % {"number": order.number})
        else:
            messages.info(request, _("Order %(number)s was already submitted; here it is.") % {"number": order.number})
        return redirect("storefront:order_detail", number=order.number)
    if order.payment_method == order.PaymentMethod.CARD and order.payment_status != order.PaymentStatus.PAID:
        # Payments: the card page makes the PaymentIntent now that the order is committed.
        return redirect("storefront:card_payment", number=order.number)
    if result.created:
        messages.success(request, _("Thank you: order %(number)s is confirmed.") % {"number": order.number})
    else:
        messages.info(request, _("Order %(number)s was already placed; here it is.") % {"number": order.number})
    return redirect("storefront:order_detail", number=order.number)
