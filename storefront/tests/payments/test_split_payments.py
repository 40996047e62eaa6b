"""A split of rebate credit with another method: the wallet pays part at checkout (booked at
once), the card or the account pays the rest."""

from decimal import Decimal

import pytest

from billing.models import PaymentReceipt
from partners.models import CreditAccount
from rebates.services import credit_wallet
from storefront.models import Cart, CartLine, Order, Payment
from storefront.services.card_payments import card_session
from storefront.services.checkout import checkout_complete
from storefront.services.payments import record_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart_of_four(buyer, company, variant):
    """4 x 85123A at the Gold price 2.30 = 9.20; 10.00 of rebate credit in the wallet."""
    cart = Cart.objects.create(user=buyer, company=company)
    CartLine.objects.create(cart=cart, variant=variant, quantity=4)
    credit_wallet(company=company, amount=Decimal("10.00"), currency="GBP", reason="Q3 rebate", reference="S-1", idempotency_key="s1")
    return cart


def test_rebate_credit_and_card(buyer, company, cart_of_four, stripe_api):
    order = checkout_complete(
        user=buyer, company=company, idempotency_key="split-card", payment_method="card", rebate_credit=Decimal("3.00")
    ).order
    credit, card = order.payments.order_by("id")
    assert (credit.method, credit.amount, credit.status) == ("rebate_credit", Decimal("3.00"), Payment.Status.SUCCEEDED)
    assert (card.method, card.amount, card.status) == ("card", Decimal("6.20"), Payment.Status.PENDING)  # 9.20 - 3.00
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PARTIALLY_PAID
    assert CreditAccount.objects.get(company=company).outstanding == Decimal("0")
    card_session(card)
    card.refresh_from_db()
    assert stripe_api.payment_intents.retrieve(card.stripe_payment_intent_id).amount == 620
    assert PaymentReceipt.objects.get(company=company, method="rebate_credit").amount == Decimal("3.00")


def test_rebate_credit_and_on_account(buyer, company, cart_of_four):
    order = checkout_complete(
        user=buyer, company=company, idempotency_key="split-account", payment_method="on_account", rebate_credit=Decimal("3.00")
    ).order
    assert CreditAccount.objects.get(company=company).outstanding == Decimal("6.20")  # only the rest is on account
    assert record_payment(order.pk, reference="ERP-9") is True  # the ERP reports the rest paid
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert order.payments.get(method="on_account").amount == Decimal("6.20")
    assert CreditAccount.objects.get(company=company).outstanding == Decimal("0.00")
