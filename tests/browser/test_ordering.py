"""A dealer buyer orders in a real browser: sign in, search, cart edits, checkout.

Prices as in scenario.py: Gold pays list less 10% (LAN-100 18.00, LAN-200 4.50, MUG-300 7.20).
"""

import re

import pytest
from playwright.sync_api import expect

from storefront.models import Order
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_through_the_login_page(page, scenario, shot):
    page.goto("/")
    page.locator("header").get_by_role("link", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("E-mail").fill("buyer@north.example")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("main")).to_contain_text("do not match an account")
    shot("wrong-password")

    page.get_by_label("E-mail").fill("BUYER@north.example")  # the e-mail is not case sensitive
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("header")).to_contain_text("North Lights Ltd")
    expect(page.locator("header")).to_contain_text("buyer@north.example")
    shot("signed-in")


def test_search_the_catalog_at_the_dealers_prices(page, scenario, sign_in_as, shot):
    sign_in_as(scenario.buyer)
    page.goto("/")
    shot("catalog")
    search = page.get_by_role("search")
    search.get_by_label("Search", exact=True).fill("lantern")
    search.get_by_role("button", name="Search").click()
    cards = page.get_by_test_id("product-card")
    expect(cards).to_have_count(2)
    expect(page.locator("main")).to_contain_text("2 products")
    lantern = cards.filter(has_text="LAN-100")
    expect(lantern).to_contain_text("£20.00")  # list
    expect(lantern).to_contain_text("£18.00")  # Gold: 10% off
    expect(cards.filter(has_text="MUG-300")).to_have_count(0)
    shot("search-lantern")

    lantern.get_by_role("link", name="Brass storm lantern").click()
    expect(page.locator("h1")).to_contain_text("Brass storm lantern")
    expect(page.locator("main")).to_contain_text("50")
    shot("product")


def test_cart_edits_change_a_quantity_and_remove_a_line(page, scenario, sign_in_as, shot):
    sign_in_as(scenario.buyer)
    for sku, quantity in (("LAN-100", "3"), ("MUG-300", "5")):
        page.goto(f"/products/{sku}/")
        page.get_by_label(f"Quantity of {sku}").first.fill(quantity)
        page.get_by_role("button", name="Add to cart").first.click()
    page.goto("/cart/")
    lines = page.get_by_test_id("cart-line")
    expect(lines).to_have_count(2)
    total = page.get_by_test_id("cart-total")
    expect(total).to_contain_text("£90.00")  # 3 x 18.00 + 5 x 7.20
    shot("cart")

    page.get_by_label("Quantity of LAN-100").fill("4")
    page.get_by_role("button", name="Update quantities").last.click()
    expect(total).to_contain_text("£108.00")  # 4 x 18.00 + 36.00
    expect(lines.filter(has_text="LAN-100")).to_contain_text("£72.00")
    shot("quantity-changed")

    lines.filter(has_text="MUG-300").get_by_role("button", name="Remove").click()
    expect(lines).to_have_count(1)
    expect(total).to_contain_text("£72.00")
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    shot("line-removed")


def test_checkout_places_the_order_with_po_number_date_and_note(page, scenario, sign_in_as, shot):
    sign_in_as(scenario.buyer)
    page.goto("/products/LAN-200/")
    page.get_by_label("Quantity of LAN-200").first.fill("12")
    page.get_by_role("button", name="Add to cart").first.click()
    page.goto("/cart/")
    expect(page.get_by_test_id("cart-total")).to_contain_text("£54.00")  # 12 x 4.50
    page.get_by_role("link", name="Go to checkout").click()
    expect(page.locator("main")).to_contain_text("12 Mill Lane")
    page.get_by_label("PO number").fill("PO-7781")
    page.get_by_label("Requested delivery date").fill("2027-01-15")
    page.get_by_label("Note").fill("Deliver to the back door")
    shot("checkout")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("main")).to_contain_text("PO-7781")
    shot("order-placed")

    order = Order.objects.exclude(number="N-PAST-0001").get(company=scenario.company)
    assert order.status == Order.Status.CONFIRMED
    assert (order.po_number, str(order.requested_delivery_date), order.note) == ("PO-7781", "2027-01-15", "Deliver to the back door")
    assert order.total == 54
    assert order.lines.get().quantity == 12
    expect(page.locator("main")).to_contain_text(order.number)


def test_another_dealers_order_is_neither_listed_nor_shown(page, scenario, sign_in_as, shot):
    sign_in_as(scenario.buyer)
    page.goto("/orders/")
    expect(page.locator("main")).to_contain_text(scenario.past_order.number)
    expect(page.locator("main")).not_to_contain_text(scenario.other_order.number)
    response = page.goto(f"/orders/{scenario.other_order.number}/")
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text("South Supplies")
    shot("other-dealers-order")
