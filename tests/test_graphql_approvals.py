"""Buyer approvals through the API: checkoutComplete with the details and the limit,
pendingApprovals, orderApprove / orderReject / orderWithdraw, companyUsers, companyUserUpdate.
Limit 100.00; BIG-100 (100.00) + PENNY (0.01) = 100.01 waits (storefront/tests/approval_setup)."""

from decimal import Decimal

import pytest

from catalog.models import Stock
from partners.models import Address, Membership
from storefront.models import Order
from storefront.tests.approval_setup import make_catalog, make_dealer, place

pytestmark = pytest.mark.django_db

ADD = "mutation($lines: [CartLineInput!]!) { cartAddLines(lines: $lines) { errors { code } } }"
CHECKOUT = """
mutation($key: String!, $ship: ID, $po: String, $date: Date, $note: String) {
  checkoutComplete(idempotencyKey: $key, shipToAddressId: $ship, poNumber: $po, requestedDeliveryDate: $date, note: $note) {
    order { number status total { amount } }
    errors { field code message }
  }
}"""
PENDING = """
{ pendingApprovals(first: 10) { totalCount edges { node {
    number status buyerEmail poNumber requestedDeliveryDate note canDecide shipTo { name city }
    order { total { amount currency } lines { sku quantity lineTotal { amount } } } } } } }"""
APPROVE = "mutation($n: String!) { orderApprove(number: $n) { approval { status decidedByEmail } errors { field code message } } }"
REJECT = """mutation($n: String!, $r: String!) { orderReject(number: $n, reason: $r) {
  approval { status rejectionReason decidedByEmail } errors { field code message } } }"""
WITHDRAW = "mutation($n: String!) { orderWithdraw(number: $n) { approval { status } errors { code } } }"
USERS = "{ companyUsers { id email role orderLimit { amount currency } } }"
UPDATE = """mutation($id: ID!, $role: CompanyRoleEnum, $limit: Decimal) {
  companyUserUpdate(id: $id, role: $role, orderLimit: $limit) { user { email role orderLimit { amount } } errors { field code message } } }"""


@pytest.fixture
def dealer():
    make_catalog()
    return make_dealer()


@pytest.fixture
def pending(dealer):
    return place(dealer.buyer, dealer.company, "k1", po_number="PO-1", note="Gate B")


def test_checkout_complete_takes_the_details_and_waits_above_the_limit(graphql, dealer):
    api = graphql(dealer.buyer)
    api.execute(ADD, {"lines": [{"sku": "BIG-100", "quantity": 1}, {"sku": "PENNY", "quantity": 1}]})
    shop = Address.objects.get(company=dealer.company, name="A1 shop")
    body = api.execute(CHECKOUT, {"key": "g1", "ship": str(shop.pk), "po": "PO-55", "date": "2099-01-01", "note": "x"})
    result = body["data"]["checkoutComplete"]
    assert [e["code"] for e in result["errors"]] == ["TOO_FAR"]  # more than a year ahead
    body = api.execute(CHECKOUT, {"key": "g1", "ship": str(shop.pk), "po": "PO-55", "note": "Upstairs"})
    result = body["data"]["checkoutComplete"]
    assert result["errors"] == []
    assert result["order"]["status"] == "PENDING_APPROVAL" and result["order"]["total"]["amount"] == "100.01"
    order = Order.objects.get()
    assert (order.po_number, order.note, order.ship_to["city"]) == ("PO-55", "Upstairs", "York")


def test_checkout_errors_carry_field_code_and_message(graphql, dealer):
    api = graphql(dealer.buyer)
    api.execute(ADD, {"lines": [{"sku": "BIG-100", "quantity": 1}]})
    body = api.execute(CHECKOUT, {"key": "g2", "ship": "999999", "po": "P" * 65, "date": "2020-01-01"})
    errors = body["data"]["checkoutComplete"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        ("poNumber", "TOO_LONG"), ("requestedDeliveryDate", "IN_THE_PAST"), ("shipToAddressId", "NOT_FOUND"),
    ]
    assert all(e["message"] for e in errors) and not Order.objects.exists()


def test_the_approver_lists_and_approves(graphql, dealer, pending):
    api = graphql(dealer.approver)
    data = api.execute(PENDING)["data"]["pendingApprovals"]
    assert data["totalCount"] == 1
    node = data["edges"][0]["node"]
    assert node["number"] == pending.number and node["status"] == "pending_approval"
    assert (node["buyerEmail"], node["poNumber"], node["note"], node["canDecide"]) == ("buyer@a1.example", "PO-1", "Gate B", True)
    assert node["shipTo"] == {"name": "A1 depot", "city": "Hull"}
    assert node["order"]["total"] == {"amount": "100.01", "currency": "GBP"}
    assert [(li["sku"], li["lineTotal"]["amount"]) for li in node["order"]["lines"]] == [("BIG-100", "100.00"), ("PENNY", "0.01")]
    approved = api.execute(APPROVE, {"n": pending.number})["data"]["orderApprove"]
    assert approved == {"approval": {"status": "confirmed", "decidedByEmail": "approver@a1.example"}, "errors": []}
    again = api.execute(APPROVE, {"n": pending.number})["data"]["orderApprove"]
    assert again["approval"] is None and again["errors"][0]["code"] == "ALREADY_DECIDED"
    assert Stock.objects.get(variant__sku="BIG-100").quantity_allocated == 1


def test_reject_needs_a_reason(graphql, dealer, pending):
    api = graphql(dealer.admin)
    blank = api.execute(REJECT, {"n": pending.number, "r": " "})["data"]["orderReject"]
    assert blank["errors"] == [{"field": "reason", "code": "REQUIRED", "message": "Say why the order is rejected."}]
    done = api.execute(REJECT, {"n": pending.number, "r": "Not this quarter"})["data"]["orderReject"]
    assert done["approval"] == {"status": "rejected", "rejectionReason": "Not this quarter", "decidedByEmail": "admin@a1.example"}


def test_buyers_visitors_and_other_dealers_cannot_decide_or_list(graphql, dealer, pending):
    buyer = graphql(dealer.buyer)
    listed = buyer.execute(PENDING)
    assert listed["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"
    assert buyer.execute(APPROVE, {"n": pending.number})["data"]["orderApprove"]["errors"][0]["code"] == "NOT_ALLOWED"
    anonymous = graphql()
    assert anonymous.execute(APPROVE, {"n": pending.number})["data"]["orderApprove"]["errors"][0]["code"] == "NOT_AUTHENTICATED"
    assert anonymous.execute(PENDING)["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    other = make_dealer("B2")
    foreign = graphql(other.admin)
    assert foreign.execute(PENDING)["data"]["pendingApprovals"]["totalCount"] == 0
    assert foreign.execute(APPROVE, {"n": pending.number})["data"]["orderApprove"]["errors"][0]["code"] == "NOT_FOUND"
    assert foreign.execute(REJECT, {"n": pending.number, "r": "no"})["data"]["orderReject"]["errors"][0]["code"] == "NOT_FOUND"
    assert foreign.execute(WITHDRAW, {"n": pending.number})["data"]["orderWithdraw"]["errors"][0]["code"] == "NOT_FOUND"
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PENDING_APPROVAL


def test_own_orders_cannot_be_decided_but_can_be_withdrawn(graphql, dealer):
    Membership.objects.filter(user=dealer.admin).update(order_limit=Decimal("0"))
    own = place(dealer.admin, dealer.company, "k2", pennies=0)
    api = graphql(dealer.admin)
    node = api.execute(PENDING)["data"]["pendingApprovals"]["edges"][0]["node"]
    assert node["number"] == own.number and node["canDecide"] is False
    assert api.execute(APPROVE, {"n": own.number})["data"]["orderApprove"]["errors"][0]["code"] == "OWN_ORDER"
    assert api.execute(WITHDRAW, {"n": own.number})["data"]["orderWithdraw"] == {"approval": {"status": "cancelled"}, "errors": []}


def test_company_users_and_updates_are_scoped_to_the_company(graphql, dealer):
    admin = graphql(dealer.admin)
    users = admin.execute(USERS)["data"]["companyUsers"]
    assert [(u["email"], u["role"], u["orderLimit"]) for u in users] == [
        ("admin@a1.example", "ADMIN", None),
        ("approver@a1.example", "APPROVER", None),
        ("buyer@a1.example", "BUYER", {"amount": "100.00", "currency": "GBP"}),
    ]
    buyer_id = next(u["id"] for u in users if u["email"] == "buyer@a1.example")
    changed = admin.execute(UPDATE, {"id": buyer_id, "limit": "250.5"})["data"]["companyUserUpdate"]
    assert changed == {"user": {"email": "buyer@a1.example", "role": "BUYER", "orderLimit": {"amount": "250.50"}}, "errors": []}
    cleared = admin.execute(UPDATE, {"id": buyer_id, "role": "APPROVER", "limit": None})["data"]["companyUserUpdate"]
    assert cleared["user"] == {"email": "buyer@a1.example", "role": "APPROVER", "orderLimit": None}
    admin_id = next(u["id"] for u in users if u["email"] == "admin@a1.example")
    last = admin.execute(UPDATE, {"id": admin_id, "role": "BUYER"})["data"]["companyUserUpdate"]
    assert last["errors"][0]["code"] == "LAST_ADMIN" and last["errors"][0]["field"] == "role"
    negative = admin.execute(UPDATE, {"id": buyer_id, "limit": "-5"})["data"]["companyUserUpdate"]
    assert negative["errors"][0] == {"field": "orderLimit", "code": "NEGATIVE", "message": "An order limit cannot be negative."}
    # Approvers cannot change; another dealer's admin cannot see or change.
    approver = graphql(dealer.approver)
    assert approver.execute(UPDATE, {"id": buyer_id, "limit": "1"})["data"]["companyUserUpdate"]["errors"][0]["code"] == "NOT_ALLOWED"
    other = make_dealer("B2")
    foreign = graphql(other.admin)
    assert "buyer@a1.example" not in str(foreign.execute(USERS))
    assert foreign.execute(UPDATE, {"id": buyer_id, "limit": "1"})["data"]["companyUserUpdate"]["errors"][0]["code"] == "NOT_FOUND"
    assert graphql().execute(USERS)["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert Membership.objects.get(user=dealer.buyer).order_limit is None
