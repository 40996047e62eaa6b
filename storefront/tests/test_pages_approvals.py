"""The Approvals page and the decisions posted from it, as the approver and the buyer see them.
Limit 100.00; the pending order is BIG-100 (100.00) + PENNY (0.01) = 100.01."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Stock
from partners.models import Membership
from storefront.models import Order
from tests.query_counts import assert_queries_do_not_grow

from .approval_setup import make_catalog, make_dealer, make_member, place

pytestmark = pytest.mark.django_db

APPROVALS = reverse("storefront:approvals")


def decide(number: str) -> str:
    return reverse("storefront:approval_decide", args=[number])


@pytest.fixture
def dealer():
    make_catalog()
    return make_dealer()


@pytest.fixture
def pending(dealer):
    return place(dealer.buyer, dealer.company, "k1", po_number="PO-77", note="Back door please")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows(html: str) -> list[str]:
    return re.findall(r'data-testid="approval-row"', html)


def test_the_approver_sees_the_pending_order_with_lines_totals_and_buttons(dealer, pending):
    page = signed_in(dealer.approver).get(APPROVALS)
    html = page.content.decode()
    assert page.status_code == 200 and len(rows(html)) == 1
    assert pending.number in html and "buyer@a1.example" in html and "their limit £100.00" in html
    assert "BIG-100" in html and "PENNY" in html
    assert "£100.00" in html and "£0.01" in html and "£100.01" in html
    assert "PO-77" in html and "Back door please" in html
    assert ">Approve</button>" in html and ">Reject</button>" in html
    assert 'for="reason-' in html  # the reason box has its label
    assert 'data-testid="nav-approvals"' in html and 'data-testid="nav-users"' not in html


def test_approve_from_the_page_confirms_the_order(dealer, pending):
    client = signed_in(dealer.approver)
    answer = client.post(decide(pending.number), {"decision": "approve"}, follow=True)
    html = answer.content.decode()
    assert f"Order {pending.number} is approved and confirmed." in html
    assert "No orders are waiting for approval." in html
    assert Order.objects.get(pk=pending.pk).status == Order.Status.CONFIRMED
    assert Stock.objects.get(variant__sku="BIG-100").quantity_allocated == 1
    detail = signed_in(dealer.buyer).get(reverse("storefront:order_detail", args=[pending.number])).content.decode()
    assert "Approved by approver@a1.example" in detail


def test_reject_without_a_reason_is_refused_and_with_one_the_buyer_sees_it(dealer, pending):
    client = signed_in(dealer.admin)
    refused = client.post(decide(pending.number), {"decision": "reject", "reason": ""}, follow=True)
    assert "Say why the order is rejected." in refused.content.decode()
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PENDING_APPROVAL
    client.post(decide(pending.number), {"decision": "reject", "reason": "Order it next month"})
    order = Order.objects.get(pk=pending.pk)
    assert order.status == Order.Status.REJECTED
    detail = signed_in(dealer.buyer).get(reverse("storefront:order_detail", args=[order.number])).content.decode()
    assert "Rejected by admin@a1.example" in detail and "Order it next month" in detail
    assert "Return goods" not in detail and "Pay by card" not in detail


def test_when_stock_ran_out_the_approver_is_told_and_the_order_still_waits(dealer, pending):
    Stock.objects.filter(variant__sku="PENNY").update(quantity_on_hand=0)
    answer = signed_in(dealer.approver).post(decide(pending.number), {"decision": "approve"}, follow=True)
    html = answer.content.decode()
    assert "Only 0 of PENNY available; 1 requested." in html
    assert len(rows(html)) == 1 and Order.objects.get(pk=pending.pk).status == Order.Status.PENDING_APPROVAL


def test_the_buyer_sees_it_waiting_and_can_withdraw_it_but_not_approve_it(dealer, pending):
    buyer = signed_in(dealer.buyer)
    detail = buyer.get(reverse("storefront:order_detail", args=[pending.number])).content.decode()
    assert "waits for one of your company's approvers" in detail and "Withdraw the order" in detail
    assert "PO-77" in detail and "Back door please" in detail
    assert 'data-testid="nav-approvals"' not in detail
    assert buyer.get(APPROVALS).status_code == 403
    assert buyer.post(decide(pending.number), {"decision": "approve"}).status_code == 403
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PENDING_APPROVAL
    withdrawn = buyer.post(decide(pending.number), {"decision": "withdraw"}, follow=True)
    assert f"You withdrew order {pending.number}" in withdrawn.content.decode()
    assert Order.objects.get(pk=pending.pk).status == Order.Status.CANCELLED


def test_an_admins_own_pending_order_has_no_buttons_for_it(dealer):
    Membership.objects.filter(user=dealer.admin).update(order_limit=0)
    own = place(dealer.admin, dealer.company, "k9", pennies=0)
    html = signed_in(dealer.admin).get(APPROVALS).content.decode()
    assert own.number in html and "This is your own order" in html and ">Approve</button>" not in html
    signed_in(dealer.admin).post(decide(own.number), {"decision": "approve"})
    assert Order.objects.get(pk=own.pk).status == Order.Status.PENDING_APPROVAL


def test_another_dealers_admin_neither_sees_nor_decides(dealer, pending):
    other = make_dealer("B2")
    client = signed_in(other.admin)
    html = client.get(APPROVALS).content.decode()
    assert pending.number not in html and "No orders are waiting for approval." in html
    assert client.post(decide(pending.number), {"decision": "approve"}).status_code == 404
    assert client.post(decide(pending.number), {"decision": "reject", "reason": "x"}).status_code == 404
    assert client.get(reverse("storefront:order_detail", args=[pending.number])).status_code == 404
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PENDING_APPROVAL


def test_anonymous_visitors_are_sent_to_sign_in(pending):
    client = Client()
    for answer in (client.get(APPROVALS), client.post(decide(pending.number), {"decision": "approve"})):
        assert answer.status_code == 302 and "/login/" in answer.url
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PENDING_APPROVAL


def test_an_approver_of_another_company_is_not_told_the_order_exists(dealer, pending):
    other = make_dealer("C3")
    approver = make_member(other.company, "second@c3.example", Membership.Role.APPROVER)
    assert signed_in(approver).post(decide(pending.number), {"decision": "approve"}).status_code == 404


def test_the_approvals_page_costs_the_same_queries_for_more_orders(dealer):
    counter = iter(range(100))

    def grow(n):
        for _ in range(n):
            place(dealer.buyer, dealer.company, f"grow-{next(counter)}")

    assert_queries_do_not_grow(signed_in(dealer.approver), APPROVALS, grow, first=1, then=3)


def test_the_users_page_costs_the_same_queries_for_more_users(dealer):
    counter = iter(range(100))

    def grow(n):
        for _ in range(n):
            make_member(dealer.company, f"extra{next(counter)}@a1.example", Membership.Role.BUYER)

    assert_queries_do_not_grow(signed_in(dealer.admin), reverse("storefront:company_users"), grow, first=1, then=4)
