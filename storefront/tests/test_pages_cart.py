"""The cart page: add, update, remove, prices worked out by hand, and clear errors."""

import pytest
from django.urls import reverse

from storefront.models import CartLine

from .conftest import make_variant

pytestmark = pytest.mark.django_db

CART = reverse("storefront:cart")
ADD = reverse("storefront:cart_add")
UPDATE = reverse("storefront:cart_update")
REMOVE = reverse("storefront:cart_remove")


def cart_lines(user):
    return {line.variant.sku: line.quantity for line in CartLine.objects.filter(cart__user=user).select_related("variant")}


def test_add_from_catalog_returns_there_and_cart_shows_hand_worked_totals(dealer_client, buyer, variant):
    page = dealer_client.post(ADD, {"sku": "85123A", "quantity": "4", "next": "/?q=heart"})
    assert page.status_code == 302 and page.url == "/?q=heart"
    assert cart_lines(buyer) == {"85123A": 4}
    html = dealer_client.get(CART).content.decode()
    # 4 x 2.30 (2.55 less 10% = 2.295 -> 2.30) = 9.20
    assert "£2.30" in html and "£9.20" in html
    assert "Gold dealers" in html  # the waterfall names the tier list
    assert "−£0.25" in html  # list 2.55 -> 2.30
    assert 'data-testid="cart-count">1<' in html


def test_volume_break_applies_in_the_cart(dealer_client, buyer, variant):
    dealer_client.post(ADD, {"sku": "85123A", "quantity": "12"})
    html = dealer_client.get(CART).content.decode()
    # 12 x 2.10 = 25.20; waterfall list -> Gold (2.30) -> 10+ units (2.10)
    assert "£25.20" in html and "10+ units" in html and "−£0.20" in html


def test_update_quantities_and_remove(dealer_client, buyer, variant, warehouse):
    make_variant("22423", "Regency cakestand 3 tier", "12.75", warehouse=warehouse)
    dealer_client.post(ADD, {"sku": "85123A", "quantity": "1"})
    dealer_client.post(ADD, {"sku": "22423", "quantity": "1"})
    page = dealer_client.post(UPDATE, {"sku": ["85123A", "22423"], "quantity": ["3", "2"]})
    assert page.status_code == 302
    assert cart_lines(buyer) == {"85123A": 3, "22423": 2}
    html = dealer_client.get(CART).content.decode()
    # 3 x 2.30 = 6.90; 2 x 11.48 (12.75 less 10% = 11.475 -> 11.48) = 22.96; total 29.86
    assert "£6.90" in html and "£22.96" in html and "£29.86" in html
    assert dealer_client.post(REMOVE, {"remove": "22423"}).status_code == 302
    assert cart_lines(buyer) == {"85123A": 3}
    dealer_client.post(UPDATE, {"sku": ["85123A"], "quantity": ["0"]})
    assert cart_lines(buyer) == {}
    assert "Your cart is empty" in dealer_client.get(CART).content.decode()


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("abc", "Quantity must be a whole number"),
        ("-1", "Quantity must be at least 1"),
        ("0", "Quantity must be at least 1"),
        (str(10**12), "at most 100,000"),
        ("9" * 5000, "Quantity must be a whole number"),
        ("", "Enter a quantity"),
        ("1.5", "Quantity must be a whole number"),
    ],
)
def test_bad_quantity_in_quick_add_shows_a_message(dealer_client, buyer, variant, quantity, message):
    page = dealer_client.post(ADD, {"sku": "85123A", "quantity": quantity, "next": CART})
    assert page.status_code == 400
    assert message in page.content.decode()
    assert cart_lines(buyer) == {}


def test_bad_quantity_from_the_catalog_is_shown_back_there(dealer_client, buyer, variant):
    page = dealer_client.post(ADD, {"sku": "85123A", "quantity": "abc", "next": "/"}, follow=True)
    assert page.status_code == 200
    assert "Quantity must be a whole number" in page.content.decode()
    assert cart_lines(buyer) == {}


@pytest.mark.parametrize("sku", ["NOPE-1", "x" * 300, "bad\x00sku", ""])
def test_unknown_sku_is_a_clear_message(dealer_client, buyer, variant, sku):
    page = dealer_client.post(ADD, {"sku": sku, "quantity": "1"})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'class="errors"' in html
    if sku == "NOPE-1":
        assert "No product with SKU &#x27;NOPE-1&#x27; is for sale." in html
    assert cart_lines(buyer) == {}


def test_bad_update_shows_the_error_next_to_the_line(dealer_client, buyer, variant):
    dealer_client.post(ADD, {"sku": "85123A", "quantity": "2"})
    page = dealer_client.post(UPDATE, {"sku": ["85123A"], "quantity": ["lots"]})
    assert page.status_code == 400
    html = page.content.decode()
    assert "line-error" in html and "Quantity must be a whole number" in html
    assert 'value="lots"' in html  # what was typed is kept
    assert cart_lines(buyer) == {"85123A": 2}
    page = dealer_client.post(UPDATE, {"sku": ["85123A"], "quantity": ["-3"]})
    assert page.status_code == 400 and "cannot be negative" in page.content.decode()


def test_quantity_rules_from_pricing_are_shown_inline(dealer_client, buyer, variant):
    variant.order_multiple = 6
    variant.save()
    dealer_client.post(ADD, {"sku": "85123A", "quantity": "4"})
    html = dealer_client.get(CART).content.decode()
    assert "sold in multiples of 6" in html
    assert "Go to checkout" not in html


def test_short_stock_is_flagged(dealer_client, buyer, variant):
    dealer_client.post(ADD, {"sku": "85123A", "quantity": "150"})
    assert "Only 100 in stock." in dealer_client.get(CART).content.decode()


def test_removing_a_line_not_in_the_cart_is_a_message(dealer_client, variant):
    page = dealer_client.post(REMOVE, {"remove": "85123A"})
    assert page.status_code == 400 and "not in your cart" in page.content.decode()


def test_cart_needs_sign_in_and_csrf(client, buyer, variant):
    page = client.get(CART)
    assert page.status_code == 302 and page.url.startswith(reverse("storefront:login"))
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(buyer)
    assert strict.post(ADD, {"sku": "85123A", "quantity": "1"}).status_code == 403
    assert cart_lines(buyer) == {}


def test_get_on_a_cart_action_goes_to_the_cart(dealer_client):
    assert dealer_client.get(ADD).status_code == 302


@pytest.mark.parametrize("quantity", ["٣", "3\x00", "1e3", " 4 5 "])
def test_quantities_in_other_digits_or_with_nul_are_refused_clearly(dealer_client, quantity):
    response = dealer_client.post("/cart/add/", {"sku": "85123A", "quantity": quantity}, follow=True)
    assert response.status_code in (200, 400)
    assert "Quantity must be a whole number" in response.content.decode()
    assert "\x00" not in response.content.decode()
