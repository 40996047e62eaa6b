"""The dealer's pages: paying by bank transfer or card at checkout, the card page (Stripe.js
with the client secret) and the order page's payment status; only for the dealer's own orders."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from partners.models import CreditAccount
from storefront.models import Order, Payment

from ..conftest import make_user
from .conftest import pay_with_test_card

pytestmark = pytest.mark.django_db

ADD = reverse("storefront:cart_add")
CHECKOUT = reverse("storefront:checkout")


def place(dealer_client, method: str):
    dealer_client.post(ADD, {"sku": "85123A", "quantity": "4"})  # 4 x 2.30 = 9.20
    key = re.search(r'name="idempotency_key" value="([^"]+)"', dealer_client.get(CHECKOUT).content.decode()).group(1)
    return dealer_client.post(CHECKOUT, {"idempotency_key": key, "payment_method": method})


def test_bank_transfer_takes_no_credit_and_shows_where_to_pay(dealer_client, company, variant, settings):
    settings.BANK_TRANSFER_IBAN = "GB33BUKB20201555555555"
    settings.BANK_TRANSFER_ACCOUNT_NAME = "DealerMall Vendor Ltd"
    response = place(dealer_client, "bank_transfer")
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == reverse("storefront:order_detail", args=[order.number])
    assert (order.payment_method, order.payment_status) == ("bank_transfer", "unpaid")
    assert CreditAccount.objects.get(company=company).outstanding == Decimal("0")
    page = dealer_client.get(response.url).content.decode()
    assert "GB33BUKB20201555555555" in page and "DealerMall Vendor Ltd" in page
    assert f'<code class="transfer-reference">{order.number}</code>' in page
    assert "£9.20" in page and "Unpaid" in page


def test_card_checkout_goes_to_the_card_page_with_stripe_js_and_the_client_secret(dealer_client, company, variant, stripe_api):
    response = place(dealer_client, "card")
    order = Order.objects.get()
    assert response.url == reverse("storefront:card_payment", args=[order.number])
    assert CreditAccount.objects.get(company=company).outstanding == Decimal("0")
    page = dealer_client.get(response.url).content.decode()
    payment = order.payments.get()
    intent = stripe_api.payment_intents.retrieve(payment.stripe_payment_intent_id)
    assert intent.amount == 920 and intent.currency == "gbp"
    assert '<script src="https://js.stripe.com/v3/"></script>' in page
    assert f'data-client-secret="{intent.client_secret}"' in page
    assert 'data-publishable-key="pk_test_dealermall"' in page
    assert "Pay £9.20" in page

    # Stripe.js confirmed and sent the buyer back: the page asks Stripe and shows the order paid.
    pay_with_test_card(stripe_api, intent.id)
    back = dealer_client.get(response.url, {"payment_intent": intent.id}, follow=True)
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert Payment.objects.get(pk=payment.pk).captured_amount == Decimal("9.20")
    assert "your card payment for order" in back.content.decode() and "Paid" in back.content.decode()


def test_card_is_not_offered_without_stripe_keys(dealer_client, variant, settings):
    settings.STRIPE_SECRET_KEY = ""
    assert 'value="card"' not in dealer_client.get(CHECKOUT).content.decode()
    response = place(dealer_client, "card")
    assert response.status_code == 400 and "Card payments are not offered" in response.content.decode()
    assert not Order.objects.exists()


def test_another_dealer_or_nobody_cannot_open_the_card_page(dealer_client, company, other_company, variant, stripe_api):
    place(dealer_client, "card")
    order = Order.objects.get()
    url = reverse("storefront:card_payment", args=[order.number])
    stranger = Client()
    stranger.force_login(make_user("buyer@other.example", other_company))
    assert stranger.get(url).status_code == 404
    assert stranger.get(reverse("storefront:order_detail", args=[order.number])).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous.url
    assert order.payments.get().stripe_payment_intent_id is None  # nobody else made Stripe do anything


def test_an_on_account_order_has_no_card_page(dealer_client, variant):
    place(dealer_client, "on_account")
    order = Order.objects.get()
    assert dealer_client.get(reverse("storefront:card_payment", args=[order.number])).status_code == 404
    assert "Pay by card" not in dealer_client.get(reverse("storefront:order_detail", args=[order.number])).content.decode()
