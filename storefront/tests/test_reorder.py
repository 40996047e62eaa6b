"""Reorder from a past order: the lines that can still be ordered go into the cart at
today's prices, the rest are reported; another company's order is a 404."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Stock
from storefront.models import Cart, CartLine
from tests.factories import OrderFactory, OrderLineFactory

from .conftest import make_user, make_variant

pytestmark = pytest.mark.django_db


def cart_of(user) -> dict[str, int]:
    return {line.variant.sku: line.quantity for line in CartLine.objects.filter(cart__user=user).select_related("variant")}


def reorder_url(order) -> str:
    return reverse("storefront:order_reorder", args=[order.number])


@pytest.fixture
def past_order(company, buyer, variant, warehouse):
    """Order DM00000042 of last year: 85123A x 4 at 2.00 (the price then), BOX-6 x 12, a free
    gift, LOW x 5 (3 left now) and OLD-1, a SKU since deleted from the catalog."""
    box = make_variant("BOX-6", "Boxed screws", "1.00", warehouse=warehouse, order_multiple=6)
    low = make_variant("LOW", "Last lanterns", "4.00", warehouse=warehouse, on_hand=3)
    gift = make_variant("GIFT", "Free tote", "0.00", warehouse=warehouse)
    order = OrderFactory(company=company, user=buyer, number="DM00000042")
    OrderLineFactory(order=order, line_number=1, variant=variant, sku="85123A", quantity=4, unit_price=Decimal("2.00"))
    OrderLineFactory(order=order, line_number=2, variant=box, sku="BOX-6", quantity=12)
    OrderLineFactory(order=order, line_number=3, variant=gift, sku="GIFT", quantity=1, is_gift=True, unit_price=Decimal("0"))
    OrderLineFactory(order=order, line_number=4, variant=low, sku="LOW", quantity=5)
    OrderLineFactory(order=order, line_number=5, variant=None, sku="OLD-1", quantity=2)
    return order


def test_reorder_adds_what_can_be_ordered_at_todays_price_and_reports_the_rest(dealer_client, buyer, past_order):
    detail = dealer_client.get(reverse("storefront:order_detail", args=[past_order.number])).content.decode()
    assert f'action="{reorder_url(past_order)}"' in detail and 'data-testid="reorder"' in detail
    page = dealer_client.post(reorder_url(past_order))
    assert page.status_code == 200
    html = page.content.decode()
    # Line numbers are the order's; the gift (line 3) is not reordered.
    assert re.findall(r'data-line="(\d+)" data-status="(\w+)"', html) == [
        ("1", "added"), ("2", "added"), ("4", "OUT_OF_STOCK"), ("5", "UNKNOWN_SKU")]
    assert "Only 3 of LOW in stock; you asked for 5." in html
    assert "No product with SKU “OLD-1” is for sale; check the code." in html
    assert cart_of(buyer) == {"85123A": 4, "BOX-6": 12}
    cart = dealer_client.get(reverse("storefront:cart")).content.decode()
    # Today's Gold price: 2.55 less 10% = 2.295 -> 2.30; 4 x 2.30 = 9.20 (not 4 x 2.00 = 8.00).
    assert "£9.20" in cart and "£8.00" not in cart


def test_reorder_of_a_fully_orderable_order_goes_straight_to_the_cart(dealer_client, buyer, past_order):
    past_order.lines.filter(line_number__in=[4, 5]).delete()
    page = dealer_client.post(reorder_url(past_order), follow=True)
    assert page.redirect_chain == [(reverse("storefront:cart"), 302)]
    assert "Added 2 SKUs (16 units) to your cart." in page.content.decode()
    # Twice: quantities add up like any other add to the cart.
    dealer_client.post(reorder_url(past_order))
    assert cart_of(buyer) == {"85123A": 8, "BOX-6": 24}


def test_orders_list_has_a_reorder_button_per_order(dealer_client, past_order):
    html = dealer_client.get(reverse("storefront:orders")).content.decode()
    assert f'action="{reorder_url(past_order)}"' in html


def test_nothing_orderable_adds_nothing(dealer_client, buyer, past_order):
    Stock.objects.update(quantity_on_hand=0)
    page = dealer_client.post(reorder_url(past_order))
    assert page.status_code == 200 and cart_of(buyer) == {}
    assert "85123A is out of stock." in page.content.decode()


def test_another_dealer_cannot_reorder_the_order(client, other_company, past_order):
    client.force_login(make_user("buyer@other.example", other_company))
    assert client.post(reorder_url(past_order)).status_code == 404
    assert client.post(reverse("storefront:order_reorder", args=["DM99999999"])).status_code == 404
    assert not CartLine.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, past_order):
    page = client.post(reorder_url(past_order))
    assert page.status_code == 302 and "/login/" in page.url
    assert not CartLine.objects.exists()


def test_get_goes_back_to_the_order(dealer_client, past_order):
    page = dealer_client.get(reorder_url(past_order))
    assert page.status_code == 302 and page.url == reverse("storefront:order_detail", args=[past_order.number])


def test_reorder_costs_the_same_for_5_and_50_lines(dealer_client, buyer, company, make_products):
    products = make_products(50)
    Cart.objects.create(user=buyer, company=company)

    def post(count):
        order = OrderFactory(company=company, user=buyer)
        for n, variant in enumerate(products[:count], start=1):
            OrderLineFactory(order=order, line_number=n, variant=variant, sku=variant.sku, quantity=1)
        CartLine.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            assert dealer_client.post(reorder_url(order)).status_code == 302
        assert len(cart_of(buyer)) == count
        return len(queries.captured_queries)

    assert post(5) == post(50)
