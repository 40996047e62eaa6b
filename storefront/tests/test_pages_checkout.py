"""Checkout and orders: one order per idempotency key, and each company sees only its own."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Stock
from partners.models import Address, CreditAccount
from storefront.models import CartLine, Order, OrderLine

from .conftest import make_user

pytestmark = pytest.mark.django_db

ADD = reverse("storefront:cart_add")
CHECKOUT = reverse("storefront:checkout")
ORDERS = reverse("storefront:orders")


def key_of(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def test_review_shows_ship_to_credit_totals_and_a_fresh_key(dealer_client, company, variant):
    Address.objects.create(company=company, name="Acme Lighting", line1="1 High Street", city="Leeds", postal_code="LS1 1AA", country="United Kingdom", is_default_shipping=True)
    dealer_client.post(ADD, {"sku": "85123A", "quantity": "4"})
    first = dealer_client.get(CHECKOUT).content.decode()
    assert "1 High Street" in first and "Leeds" in first
    assert "On account" in first and "£1,000.00" in first  # available credit
    assert "£9.20" in first
    assert key_of(first) != key_of(dealer_client.get(CHECKOUT).content.decode())


def test_confirm_twice_with_the_same_key_makes_one_order(dealer_client, buyer, company, variant):
    dealer_client.post(ADD, {"sku": "85123A", "quantity": "4"})
    key = key_of(dealer_client.get(CHECKOUT).content.decode())
    first = dealer_client.post(CHECKOUT, {"idempotency_key": key})
    second = dealer_client.post(CHECKOUT, {"idempotency_key": key})
    assert Order.objects.count() == 1
    order = Order.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("storefront:order_detail", args=[order.number])
    assert order.total == Decimal("9.20") and order.company == company
    assert CartLine.objects.filter(cart__user=buyer).count() == 0
    assert Stock.objects.get(variant=variant).quantity_allocated == 4
    assert CreditAccount.objects.get(company=company).outstanding == Decimal("9.20")
    page = dealer_client.get(first.url).content.decode()
    assert f"Order {order.number}" in page and "is confirmed" in page
    assert "85123A" in page and "£2.30" in page and "£9.20" in page


def test_second_post_says_the_order_was_already_placed(dealer_client, variant):
    dealer_client.post(ADD, {"sku": "85123A", "quantity": "1"})
    key = key_of(dealer_client.get(CHECKOUT).content.decode())
    dealer_client.post(CHECKOUT, {"idempotency_key": key})
    page = dealer_client.post(CHECKOUT, {"idempotency_key": key}, follow=True)
    assert "was already placed" in page.content.decode()
    assert Order.objects.count() == 1


def test_credit_limit_error_is_shown_and_nothing_is_written(dealer_client, company, variant):
    CreditAccount.objects.filter(company=company).update(credit_limit=Decimal("5.00"))
    dealer_client.post(ADD, {"sku": "85123A", "quantity": "4"})
    key = key_of(dealer_client.get(CHECKOUT).content.decode())
    page = dealer_client.post(CHECKOUT, {"idempotency_key": key})
    assert page.status_code == 400
    assert "exceeds your available credit" in page.content.decode()
    assert Order.objects.count() == 0 and Stock.objects.get(variant=variant).quantity_allocated == 0


def test_stock_error_is_shown(dealer_client, variant):
    dealer_client.post(ADD, {"sku": "85123A", "quantity": "150"})
    key = key_of(dealer_client.get(CHECKOUT).content.decode())
    page = dealer_client.post(CHECKOUT, {"idempotency_key": key})
    assert page.status_code == 400
    assert "Only 100 of 85123A available; 150 requested." in page.content.decode()
    assert Order.objects.count() == 0


@pytest.mark.parametrize("key", ["", "k" * 500, "bad\x00key"])
def test_bad_or_missing_key_is_a_message(dealer_client, variant, key):
    dealer_client.post(ADD, {"sku": "85123A", "quantity": "1"})
    page = dealer_client.post(CHECKOUT, {"idempotency_key": key})
    assert page.status_code == 400 and "confirm again" in page.content.decode()
    assert Order.objects.count() == 0


def test_empty_cart_checkout(dealer_client, variant):
    page = dealer_client.post(CHECKOUT, {"idempotency_key": "k-1"})
    assert page.status_code == 400 and "Your cart is empty" in page.content.decode()


def place_order(client, quantity="2") -> Order:
    client.post(ADD, {"sku": "85123A", "quantity": quantity})
    key = key_of(client.get(CHECKOUT).content.decode())
    client.post(CHECKOUT, {"idempotency_key": key})
    return Order.objects.latest("id")


def test_order_history_lists_only_own_company_orders(dealer_client, variant, other_company):
    mine = place_order(dealer_client)
    other = Client()
    other.force_login(make_user("buyer@other.example", other_company))
    theirs = place_order(other, "1")
    client = dealer_client
    html = client.get(ORDERS).content.decode()
    assert mine.number in html and theirs.number not in html
    assert "£4.60" in html
    assert client.get(reverse("storefront:order_detail", args=[theirs.number])).status_code == 404
    assert client.get(reverse("storefront:order_detail", args=[mine.number])).status_code == 200
    for junk in ["NOPE", "x" * 200, "DM\x00"]:
        assert client.get(f"/orders/{junk}/").status_code == 404


def test_order_page_reads_the_snapshot_not_todays_price(dealer_client, variant):
    order = place_order(dealer_client, "4")
    variant.list_price = Decimal("9.99")
    variant.save()
    OrderLine.objects.filter(order=order).update(product_name="Snapshot name")
    html = dealer_client.get(reverse("storefront:order_detail", args=[order.number])).content.decode()
    assert "Snapshot name" in html and "£2.55" in html and "£9.20" in html and "£9.99" not in html


def test_orders_paginate(dealer_client, company, variant):
    Order.objects.bulk_create(
        [Order(company=company, number=f"H{n:04d}", currency="GBP", subtotal=0, discount_total=0, tax_total=0, total=0) for n in range(30)]
    )
    html = dealer_client.get(ORDERS).content.decode()
    assert "Page 1 of 2" in html
