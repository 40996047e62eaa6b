"""Checkout: review the priced cart, ship-to and credit, then confirm once.

The confirm form carries an idempotency key made when the page was shown, so a double
click or a resubmitted form gets the same order back instead of a second one.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from deals.selectors import attributable_deals
from mall.errors import DomainError
from partners.models import Address, CreditAccount
from storefront.forms import CheckoutForm
from storefront.services.card_payments import card_payments_enabled
from storefront.services.checkout import checkout_complete
from storefront.views.rebates import rebate_credit_offer

from .cart import build_cart
from .context import dealer_required, remember_cart_count


def _render(request, company, *, key: str, errors=(), status=200):
    cart = build_cart(request.user, company)
    remember_cart_count(request, len(cart.rows))
    credit = CreditAccount.objects.filter(company=company).first()
    ship_to = Address.objects.filter(company=company, is_default_shipping=True).first()
    total = cart.priced.total if cart.priced else None
    over_credit = bool(credit and total is not None and total > credit.available)
    return render(
        request,
        "storefront/checkout.html",
        {
            "cart": cart,
            "company": company,
            "credit": credit,
            "over_credit": over_credit,
            "ship_to": ship_to,
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
    if not form.is_valid():
        problems = ["This checkout form was incomplete or has expired; please review your order and confirm again."]
        return _render(request, company, key=CheckoutForm.new_key(), errors=problems, status=400)
    key = form.cleaned_data["idempotency_key"]
    try:
        result = checkout_complete(
            user=request.user,
            company=company,
            idempotency_key=key,
            expected_total=form.cleaned_data.get("expected_total"),
            payment_method=form.cleaned_data.get("payment_method") or "on_account",  # Payments
            deal_id=form.cleaned_data.get("deal_id"),  # Deals
            rebate_credit=form.cleaned_data.get("rebate_credit"),  # Rebates
        )
    except DomainError as exc:
        # Nothing was written; the same key may be used again once the problem is fixed.
        return _render(request, company, key=key, errors=[d.message for d in exc.details], status=400)
    order = result.order
    if order.payment_method == order.PaymentMethod.CARD and order.payment_status != order.PaymentStatus.PAID:
        # Payments: the card page makes the PaymentIntent now that the order is committed.
        return redirect("storefront:card_payment", number=order.number)
    if result.created:
        messages.success(request, f"Thank you: order {order.number} is confirmed.")
    else:
        messages.info(request, f"Order {order.number} was already placed; here it is.")
    return redirect("storefront:order_detail", number=order.number)
