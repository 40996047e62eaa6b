"""The cart page: a line per SKU with its own quantity box and update button (no JavaScript
needed), the price waterfall, promotion nudges, the rebate credit note, and a total that is the
order's total to the cent after checkout.

Worked out by hand (Gold dealers pay 10% off list; rounding halves up):
  NUDGE1 list 6.11 -> 5.499 -> 5.50 each. "Spend 100 save 30" for Gold.
  10 x NUDGE1 = 55.00: "add £45.00 to get £30.00 off".
  20 x NUDGE1 = 110.00 and 12 x 85123A at its break (from 10: 2.10) = 25.20: subtotal 135.20,
  less 30.00 = total 105.20 (no tax configured). A wallet of 80.00 may pay half the order at
  most: 52.60.
"""

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from pricing_engine.models import Promotion
from rebates.models import RebateWallet
from storefront.models import CartLine, Order
from tests.factories import PromotionFactory

from .conftest import make_user, make_variant
from .html_audit import heading_jumps, unlabelled_controls

pytestmark = pytest.mark.django_db

CART = reverse("storefront:cart")
ADD = reverse("storefront:cart_add")
UPDATE = reverse("storefront:cart_update")
CHECKOUT = reverse("storefront:checkout")


@pytest.fixture
def spend_100(gold, category, warehouse, gold_list):
    now = timezone.now()
    make_variant("NUDGE1", "Garden lantern", "6.11", category=category, warehouse=warehouse, on_hand=500)
    PromotionFactory(
        name="Spend 100 save 30", kind=Promotion.Kind.FULL_REDUCTION, priority=20,
        reward={"steps": [{"threshold": "100", "amount": "30"}]}, relations__tiers=[gold],
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=30),
    )


def _add(client, sku, quantity):
    assert client.post(ADD, {"sku": sku, "quantity": str(quantity)}).status_code == 302


def _total(html: str) -> str:
    return re.search(r'data-testid="cart-total">.*?<dd class="total">([^<]+)</dd>', html, re.S).group(1)


def test_nudge_says_how_much_more_gives_how_much_off(dealer_client, spend_100):
    _add(dealer_client, "NUDGE1", 10)
    html = dealer_client.get(CART).content.decode()
    assert '<dd class="subtotal">£55.00</dd>' in html
    assert re.search(r'<li class="nudge" role="status">\s*Spend 100 save 30: add £45.00 to get £30.00 off\s*</li>', html)
    assert _total(html) == "£55.00"


def test_each_line_has_a_quantity_box_and_update_button_that_work_without_javascript(dealer_client, buyer, variant, spend_100):
    _add(dealer_client, "NUDGE1", 10)
    _add(dealer_client, "85123A", 4)
    html = dealer_client.get(CART).content.decode()
    lines = re.findall(r'<tr [^>]*data-testid="cart-line">.*?</tr>', html, re.S)
    assert len(lines) == 2
    for line in lines:
        assert re.search(r'<input id="cart-qty-\d" type="number" min="0" step="1" name="quantity"', line)
        assert re.search(r'<button type="submit" name="update" value="[^"]+" class="secondary small">Update', line)
    assert '<script src="/static/storefront/cart.js" defer></script>' in html
    # The per-line button posts the whole form, as a browser without JavaScript does.
    response = dealer_client.post(UPDATE, {"sku": ["NUDGE1", "85123A"], "quantity": ["20", "12"], "update": "85123A"})
    assert response.status_code == 302 and response.url == CART
    assert dict(CartLine.objects.filter(cart__user=buyer).values_list("variant__sku", "quantity")) == {"NUDGE1": 20, "85123A": 12}
    html = dealer_client.get(CART).content.decode()
    assert '<dd class="subtotal">£135.20</dd>' in html and _total(html) == "£105.20"
    assert "Spend 100 save 30" in html and "−£30.00" in html
    assert "add £" not in html  # the step is reached: no nudge left


def test_a_bad_quantity_is_explained_on_its_line_and_nothing_changes(dealer_client, buyer, variant):
    _add(dealer_client, "85123A", 4)
    response = dealer_client.post(UPDATE, {"sku": ["85123A"], "quantity": ["-3"], "update": "85123A"})
    assert response.status_code == 400
    line = re.search(r'<tr [^>]*data-testid="cart-line">.*?</tr>', response.content.decode(), re.S).group(0)
    assert 'class="line-error"' in line and 'value="-3"' in line
    assert CartLine.objects.get(cart__user=buyer).quantity == 4


def test_rebate_wallet_note_says_what_it_may_pay(dealer_client, company, variant, spend_100):
    RebateWallet.objects.create(company=company, currency="GBP", balance=Decimal("80.00"))
    _add(dealer_client, "NUDGE1", 20)
    _add(dealer_client, "85123A", 12)
    html = dealer_client.get(CART).content.decode()
    assert "Your rebate wallet holds £80.00: you can pay up to £52.60 of this order with it at checkout." in html


class _HiddenInputs(HTMLParser):
    """The hidden fields of the checkout page's confirm form (the one that posts to checkout)."""

    def __init__(self):
        super().__init__()
        self.inside, self.fields = False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") in (CHECKOUT, None, "") and attrs.get("method", "").lower() == "post"
        elif self.inside and tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def test_cart_total_is_the_order_total_to_the_cent(dealer_client, company, variant, spend_100):
    _add(dealer_client, "NUDGE1", 20)
    _add(dealer_client, "85123A", 12)
    shown = _total(dealer_client.get(CART).content.decode())
    assert shown == "£105.20"
    parser = _HiddenInputs()
    parser.feed(dealer_client.get(CHECKOUT).content.decode())
    assert "idempotency_key" in parser.fields
    response = dealer_client.post(CHECKOUT, parser.fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get(company=company)
    assert order.total == Decimal("105.20") and f"£{order.total}" == shown
    assert order.subtotal == Decimal("135.20") and order.order_discount_total == Decimal("30.00")


def test_cart_page_controls_are_labelled_and_headings_in_order(dealer_client, variant, spend_100):
    _add(dealer_client, "NUDGE1", 10)
    html = dealer_client.get(CART).content.decode()
    assert unlabelled_controls(html) == [] and heading_jumps(html) == []


def test_another_dealer_cannot_touch_this_cart(client, dealer_client, buyer, other_company, variant):
    _add(dealer_client, "85123A", 4)
    client.force_login(make_user("buyer@other.example", other_company))
    html = client.get(CART).content.decode()
    assert 'data-testid="cart-line"' not in html
    client.post(UPDATE, {"sku": ["85123A"], "quantity": ["0"]})
    assert CartLine.objects.get(cart__user=buyer).quantity == 4
    client.logout()
    assert client.get(CART).status_code == 302  # visitors are sent to sign in


PAGES_WITH_FORMS = [
    "catalog", "cart", "checkout", "orders", "quick_order", "order_lists", "account", "rebates", "dashboard",
    "statement", "deals", "deal_new", "inbox", "funds", "fund_plan_new", "academy", "academy_verify", "company_users",
]


def test_every_dealer_page_labels_its_controls(dealer_client, client, company, variant):
    """Every visible input, select and textarea on the dealer pages has a <label for> or an
    aria-label (parsed from the rendered HTML), and no page skips a heading level."""
    RebateWallet.objects.create(company=company, currency="GBP", balance=Decimal("5.00"))  # the checkout's rebate box
    _add(dealer_client, "85123A", 4)
    problems = {}
    for name in PAGES_WITH_FORMS:
        response = dealer_client.get(reverse(f"storefront:{name}"))
        assert response.status_code in (200, 403), name
        html = response.content.decode()
        if found := unlabelled_controls(html) + [str(j) for j in heading_jumps(html)]:
            problems[name] = found
    parser = _HiddenInputs()
    parser.feed(dealer_client.get(CHECKOUT).content.decode())
    order_url = dealer_client.post(CHECKOUT, parser.fields).url
    number = order_url.rstrip("/").split("/")[-1]
    for url in (reverse("storefront:product", args=["85123A"]), order_url, reverse("storefront:return_new", args=[number])):
        html = dealer_client.get(url).content.decode()
        if found := unlabelled_controls(html) + [str(j) for j in heading_jumps(html)]:
            problems[url] = found
    for url in (reverse("storefront:login"), reverse("storefront:catalog")):
        if found := unlabelled_controls(client.get(url).content.decode()):
            problems[f"visitor {url}"] = found
    assert problems == {}
