"""The card page of a card order: Stripe.js takes the card, Stripe confirms, we apply its answer.

The card number never touches DealerMall: Stripe.js (loaded from js.stripe.com) collects it
with the PaymentIntent's client secret and confirms with Stripe directly; Stripe then sends the
buyer back here (`?payment_intent=...`), and the page asks Stripe for the intent's state so
the order shows paid at once (the webhook says the same, later or sooner, and counts once).
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from mall.errors import DomainError
from storefront.forms import clean_text
from storefront.models import Order, Payment
from storefront.services.card_payments import card_session, sync_card_payment
from storefront.services.payments import card_payment_for

from .context import dealer_required


def _dealer_order(company, number: str) -> Order:
    number = clean_text(number, max_length=32)
    order = Order.objects.filter(company=company, number=number).first() if number else None
    if order is None:  # another company's order is "not found" too
        raise Http404("No such order.")
    return order


@dealer_required
def card_payment(request, company, number: str):
    order = _dealer_order(company, number)
    payment = card_payment_for(order)
    if payment is None:
        raise Http404("This order is not paid by card.")
    if request.GET.get("payment_intent") == payment.stripe_payment_intent_id and payment.stripe_payment_intent_id:
        payment = sync_card_payment(payment)  # back from Stripe.js
        if payment.status == Payment.Status.SUCCEEDED:
            messages.success(request, gettext("Thank you: your card payment for order %(number)s succeeded.") % {"number": order.number})
            return redirect("storefront:order_detail", number=order.number)
        if payment.status == Payment.Status.PROCESSING:
            messages.info(request, gettext("Your card payment is being processed; this page will show it once Stripe confirms."))
            return redirect("storefront:order_detail", number=order.number)
    if payment.status == Payment.Status.SUCCEEDED:
        return redirect("storefront:order_detail", number=order.number)
    context = {"order": order, "payment": payment, "company": company, "errors": []}
    try:
        session = card_session(payment)
    except DomainError as error:
        context["errors"] = [d.message for d in error.details]
        return render(request, "storefront/card_payment.html", context, status=503)
    return_url = request.build_absolute_uri(reverse("storefront:card_payment", kwargs={"number": order.number}))
    context.update(
        client_secret=session.client_secret,
        publishable_key=session.publishable_key,
        stripe_js_url=settings.STRIPE_JS_URL,
        return_url=return_url,
    )
    return render(request, "storefront/card_payment.html", context)
