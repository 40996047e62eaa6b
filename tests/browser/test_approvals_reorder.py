"""Buyer approvals, reorder and the language switch in a real browser.

The buyer's order limit is 500.00; 30 x LAN-100 at the Gold price 18.00 is 540.00, above it.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from storefront.models import Order

pytestmark = pytest.mark.django_db


def test_an_order_above_the_buyers_limit_waits_and_the_approver_approves_it(page, scenario, sign_in_as, shot):
    sign_in_as(scenario.buyer)
    page.goto("/products/LAN-100/")
    page.get_by_label("Quantity of LAN-100").first.fill("30")
    page.get_by_role("button", name="Add to cart").first.click()
    page.goto("/checkout/")
    page.get_by_label("PO number").fill("PO-900")
    shot("checkout")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_test_id("order-approval")).to_contain_text("waits for one of your company's approvers")
    shot("waiting-for-approval")
    order = Order.objects.get(company=scenario.company, po_number="PO-900")
    assert (order.status, order.total) == (Order.Status.PENDING_APPROVAL, 540)

    sign_in_as(scenario.approver)
    page.goto("/approvals/")
    row = page.get_by_test_id("approval-row").filter(has_text=order.number)
    expect(row).to_contain_text("buyer@north.example")
    expect(row).to_contain_text("PO-900")
    expect(row.get_by_test_id("approval-total")).to_have_text("£540.00")
    shot("approvals")
    row.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text(f"Order {order.number} is approved and confirmed.")
    expect(page.get_by_test_id("approval-row")).to_have_count(0)
    shot("approved")
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED and order.approval_decided_by == scenario.approver


def test_the_approver_rejects_with_a_reason_the_buyer_sees(page, scenario, sign_in_as, shot):
    sign_in_as(scenario.buyer)
    page.goto("/products/LAN-100/")
    page.get_by_label("Quantity of LAN-100").first.fill("30")
    page.get_by_role("button", name="Add to cart").first.click()
    page.goto("/checkout/")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_test_id("order-approval")).to_be_visible()
    number = Order.objects.get(company=scenario.company, status=Order.Status.PENDING_APPROVAL).number

    sign_in_as(scenario.approver)
    page.goto("/approvals/")
    row = page.get_by_test_id("approval-row").filter(has_text=number)
    row.get_by_label("Reason for rejecting").fill("Thirty is too many; ten will do")
    row.get_by_role("button", name="Reject").click()
    expect(page.locator(".messages")).to_contain_text(f"Order {number} is rejected")
    shot("rejected")

    sign_in_as(scenario.buyer)
    page.goto(f"/orders/{number}/")
    expect(page.get_by_test_id("order-approval")).to_contain_text("Thirty is too many; ten will do")
    shot("buyer-sees-reason")


def test_reorder_from_a_past_order_fills_the_cart_at_todays_prices(page, scenario, sign_in_as, shot):
    sign_in_as(scenario.buyer)
    page.goto("/orders/")
    page.get_by_role("link", name=scenario.past_order.number).click()
    expect(page.locator("main")).to_contain_text("Brass storm lantern")
    shot("past-order")
    page.get_by_role("main").get_by_role("button", name=re.compile(r"^Reorder")).first.click()
    page.goto("/cart/")
    lines = page.get_by_test_id("cart-line")
    expect(lines).to_have_count(2)
    expect(lines.filter(has_text="LAN-100").get_by_label("Quantity of LAN-100")).to_have_value("2")
    expect(lines.filter(has_text="LAN-200").get_by_label("Quantity of LAN-200")).to_have_value("6")
    expect(page.get_by_test_id("cart-total")).to_contain_text("£63.00")  # 2 x 18.00 + 6 x 4.50
    shot("cart")


def test_language_switch_shows_the_shop_in_chinese(page, scenario, sign_in_as, shot):
    with translation.override("zh-hans"):
        catalog_zh, cart_zh = translation.gettext("Catalog"), translation.gettext("Your cart")
    if catalog_zh == "Catalog":
        pytest.fail("locale/zh_Hans has no translation of 'Catalog' (compilemessages not run?)")
    sign_in_as(scenario.buyer)
    page.goto("/cart/")
    switch = page.get_by_test_id("language-switch")
    switch.get_by_label("Language").select_option("zh-hans")
    switch.get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text(cart_zh)
    expect(page.locator("header nav").first).to_contain_text(catalog_zh)
    shot("cart-in-chinese")
    page.goto("/")
    expect(page.locator("header nav").first).to_contain_text(catalog_zh)
    shot("catalog-in-chinese")

    switch.get_by_role("combobox").select_option("en-gb")
    switch.get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-gb")
    expect(page.locator("header nav").first).to_contain_text("Catalog")
