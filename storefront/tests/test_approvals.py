"""Buyer approvals, service level: what a pending order takes (nothing), what approving takes
(everything checkout takes), rejecting and withdrawing, who may decide. Values by hand:
the buyer's limit is 100.00; BIG-100 costs 100.00 and PENNY 0.01 (approval_setup)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Invoice
from catalog.models import Stock
from insights.services import SALE_STATUSES, _sale_orders
from integrations.models import OutboxEvent
from mall.errors import DomainError
from partners.models import CreditAccount, Membership, Notification
from pricing_engine.models import Promotion
from rebates.selectors import wallet_balance
from rebates.services import credit_wallet
from rebates.volume import order_counts, volumes
from storefront.models import CartLine, Order, Payment
from storefront.services.approvals import approve_order, reject_order, withdraw_order
from storefront.services.returns import ReturnRequestLine, request_return
from tests.factories import PromotionFactory
from tests.webhook_schemas import assert_matches_schema

from .approval_setup import make_catalog, make_dealer, make_member, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def dealer():
    make_catalog()
    return make_dealer()


def allocated(sku: str) -> int:
    return Stock.objects.get(variant__sku=sku).quantity_allocated


def outstanding(company) -> Decimal:
    return CreditAccount.objects.get(company=company).outstanding


def code_of(excinfo) -> str:
    return excinfo.value.details[0].code


def test_an_order_equal_to_the_limit_is_confirmed_at_once(dealer):
    order = place(dealer.buyer, dealer.company, "k1", pennies=0)
    assert order.total == Decimal("100.00")
    assert order.status == Order.Status.CONFIRMED and order.version == 1
    assert allocated("BIG-100") == 1 and outstanding(dealer.company) == Decimal("100.00")
    assert OutboxEvent.objects.filter(event_type="order.confirmed", aggregate_id=order.number).count() == 1


def test_an_order_a_penny_above_the_limit_waits_and_takes_nothing(dealer):
    order = place(dealer.buyer, dealer.company, "k1")
    order.refresh_from_db()
    assert order.total == Decimal("100.01")
    assert order.status == Order.Status.PENDING_APPROVAL and order.number == f"DM{order.pk:08d}"
    assert order.version == 0
    assert [(line.sku, line.quantity, line.line_total) for line in order.lines.order_by("line_number")] == [
        ("BIG-100", 1, Decimal("100.00")), ("PENNY", 1, Decimal("0.01")),
    ]
    assert order.ship_to["name"] == "A1 depot"  # the default address, snapshotted
    # Nothing taken: stock, credit, events, invoice, payments; and the cart is empty.
    assert allocated("BIG-100") == 0 and allocated("PENNY") == 0
    assert outstanding(dealer.company) == Decimal("0")
    assert not OutboxEvent.objects.exists()
    assert not Invoice.objects.exists() and not Payment.objects.exists()
    assert not CartLine.objects.filter(cart__user=dealer.buyer).exists()
    # The approver and the admin hear of it, the buyer does not.
    notes = Notification.objects.filter(title__contains=order.number)
    assert sorted(n.user.email for n in notes) == ["admin@a1.example", "approver@a1.example"]
    assert all(n.link == "/approvals/" for n in notes)
    assert "100.01 GBP" in notes[0].body


def test_no_limit_means_no_approval(dealer):
    Membership.objects.filter(user=dealer.buyer).update(order_limit=None)
    order = place(dealer.buyer, dealer.company, "k1", big=5)
    assert order.status == Order.Status.CONFIRMED and order.total == Decimal("500.01")


def test_approving_takes_stock_credit_and_writes_order_confirmed(dealer):
    order = place(dealer.buyer, dealer.company, "k1")
    approved = approve_order(user=dealer.approver, company=dealer.company, number=order.number)
    order.refresh_from_db()
    assert approved.status == order.status == Order.Status.CONFIRMED
    assert order.version == 1 and order.approval_decided_by == dealer.approver
    assert order.approval_decided_at is not None and order.rejection_reason == ""
    assert allocated("BIG-100") == 1 and allocated("PENNY") == 1
    assert outstanding(dealer.company) == Decimal("100.01")
    event = OutboxEvent.objects.get(event_type="order.confirmed")
    assert event.aggregate_id == order.number and event.sequence == 1
    assert event.data["order"]["total"] == "100.01" and event.data["order"]["status"] == "confirmed"
    assert_matches_schema("order.confirmed", event)
    assert Invoice.objects.get(order=order).total == Decimal("100.01")
    assert Notification.objects.filter(user=dealer.buyer, title=f"Order {order.number} is approved").exists()
    with pytest.raises(DomainError) as again:
        approve_order(user=dealer.admin, company=dealer.company, number=order.number)
    assert code_of(again) == "ALREADY_DECIDED"
    assert OutboxEvent.objects.filter(event_type="order.confirmed").count() == 1


def test_approval_keeps_the_submitted_prices(dealer):
    order = place(dealer.buyer, dealer.company, "k1")
    dealer_price = order.lines.get(sku="BIG-100")
    dealer_price.variant.list_price = Decimal("120.00")
    dealer_price.variant.save()
    approve_order(user=dealer.admin, company=dealer.company, number=order.number)
    order.refresh_from_db()
    assert order.total == Decimal("100.01") and outstanding(dealer.company) == Decimal("100.01")


def test_approval_fails_and_stays_pending_when_stock_is_gone(dealer):
    order = place(dealer.buyer, dealer.company, "k1")
    Stock.objects.filter(variant__sku="BIG-100").update(quantity_on_hand=0)
    with pytest.raises(DomainError) as failed:
        approve_order(user=dealer.approver, company=dealer.company, number=order.number)
    assert code_of(failed) == "INSUFFICIENT_STOCK"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_APPROVAL and order.approval_decided_by is None and order.version == 0
    assert outstanding(dealer.company) == Decimal("0") and allocated("PENNY") == 0
    assert not OutboxEvent.objects.exists()


def test_approval_fails_and_stays_pending_when_credit_no_longer_suffices(dealer):
    order = place(dealer.buyer, dealer.company, "k1")
    CreditAccount.objects.filter(company=dealer.company).update(credit_limit=Decimal("100.00"))
    with pytest.raises(DomainError) as failed:
        approve_order(user=dealer.approver, company=dealer.company, number=order.number)
    assert code_of(failed) == "CREDIT_LIMIT_EXCEEDED"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_APPROVAL and allocated("BIG-100") == 0


def test_a_promotion_budget_that_ran_out_meanwhile_stops_the_approval(dealer):
    now = timezone.now()
    promotion = PromotionFactory(name="Ten off", reward={"percent": "10"}, budget_amount=Decimal("25.00"),
                                 starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=9))
    order = place(dealer.buyer, dealer.company, "k1", big=2)  # 2 × 90.00 + 0.01 (a penny less 10 % stays 0.01)
    assert order.total == Decimal("180.01") and order.status == Order.Status.PENDING_APPROVAL
    # Another order spent 10.00 of the 25.00 meanwhile: this one's 20.00 no longer fits.
    Promotion.objects.filter(pk=promotion.pk).update(spent_amount=Decimal("10.00"))
    with pytest.raises(DomainError) as failed:
        approve_order(user=dealer.approver, company=dealer.company, number=order.number)
    assert code_of(failed) == "PROMOTION_BUDGET_EXHAUSTED"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_APPROVAL
    Promotion.objects.filter(pk=promotion.pk).update(spent_amount=Decimal("0"))  # budget back: it goes through
    approve_order(user=dealer.approver, company=dealer.company, number=order.number)
    promotion.refresh_from_db()
    assert promotion.spent_amount == Decimal("20.00") and promotion.used_count == 1
    assert Order.objects.get(pk=order.pk).total == Decimal("180.01")


def test_reject_needs_a_reason_and_records_who_when_and_why(dealer):
    order = place(dealer.buyer, dealer.company, "k1")
    with pytest.raises(DomainError) as blank:
        reject_order(user=dealer.approver, company=dealer.company, number=order.number, reason="  ")
    assert code_of(blank) == "REQUIRED"
    with pytest.raises(DomainError) as long:
        reject_order(user=dealer.approver, company=dealer.company, number=order.number, reason="x" * 501)
    assert code_of(long) == "TOO_LONG"
    reject_order(user=dealer.approver, company=dealer.company, number=order.number, reason="Over budget this month")
    order.refresh_from_db()
    assert order.status == Order.Status.REJECTED and order.rejection_reason == "Over budget this month"
    assert order.approval_decided_by == dealer.approver and order.approval_decided_at is not None
    note = Notification.objects.get(user=dealer.buyer)
    assert note.title == f"Order {order.number} was rejected" and "Over budget this month" in note.body
    assert not OutboxEvent.objects.exists() and allocated("BIG-100") == 0
    with pytest.raises(DomainError) as late:
        approve_order(user=dealer.admin, company=dealer.company, number=order.number)
    assert code_of(late) == "ALREADY_DECIDED"


def test_nobody_approves_their_own_order_not_even_an_admin(dealer):
    Membership.objects.filter(user=dealer.admin).update(order_limit=Decimal("50.00"))
    order = place(dealer.admin, dealer.company, "k1", pennies=0)
    assert order.status == Order.Status.PENDING_APPROVAL
    # The approver hears of it, the admin itself does not.
    assert [n.user for n in Notification.objects.all()] == [dealer.approver]
    for decide in (
        lambda: approve_order(user=dealer.admin, company=dealer.company, number=order.number),
        lambda: reject_order(user=dealer.admin, company=dealer.company, number=order.number, reason="no"),
    ):
        with pytest.raises(DomainError) as own:
            decide()
        assert code_of(own) == "OWN_ORDER"
    approve_order(user=dealer.approver, company=dealer.company, number=order.number)
    assert Order.objects.get(pk=order.pk).status == Order.Status.CONFIRMED


def test_a_buyer_and_another_dealers_admin_cannot_decide(dealer):
    order = place(dealer.buyer, dealer.company, "k1")
    colleague = make_member(dealer.company, "colleague@a1.example", Membership.Role.BUYER)
    with pytest.raises(DomainError) as buyer:
        approve_order(user=colleague, company=dealer.company, number=order.number)
    assert code_of(buyer) == "NOT_ALLOWED"
    other = make_dealer("B2")
    for company in (other.company, dealer.company):  # its own company, or pretending to be A's
        with pytest.raises(DomainError) as foreign:
            approve_order(user=other.admin, company=company, number=order.number)
        assert code_of(foreign) in ("NOT_FOUND", "NOT_ALLOWED")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_APPROVAL


def test_the_buyer_withdraws_its_own_pending_order_only(dealer):
    order = place(dealer.buyer, dealer.company, "k1")
    with pytest.raises(DomainError) as not_yours:
        withdraw_order(user=dealer.admin, company=dealer.company, number=order.number)
    assert code_of(not_yours) == "NOT_YOUR_ORDER"
    withdraw_order(user=dealer.buyer, company=dealer.company, number=order.number)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert not OutboxEvent.objects.exists()  # the ERP never heard of it
    with pytest.raises(DomainError) as decided:
        approve_order(user=dealer.approver, company=dealer.company, number=order.number)
    assert code_of(decided) == "ALREADY_DECIDED"


def test_pending_and_rejected_orders_count_nowhere_as_sales(dealer):
    pending = place(dealer.buyer, dealer.company, "k1")
    rejected = place(dealer.buyer, dealer.company, "k2")
    reject_order(user=dealer.approver, company=dealer.company, number=rejected.number, reason="duplicate")
    pending.refresh_from_db()
    rejected.refresh_from_db()
    # Rebates: neither accrues nor counts towards the dealer's volume.
    assert not order_counts(pending) and not order_counts(rejected)
    today = timezone.localdate()
    assert volumes("GBP", today - timedelta(days=1), today + timedelta(days=1), None) == {}
    # Insights: not sales.
    assert pending.status not in SALE_STATUSES and rejected.status not in SALE_STATUSES
    day = timedelta(days=1)
    assert not _sale_orders(timezone.now() - day, timezone.now() + day).exists()
    # Returns: nothing to return.
    for order in (pending, rejected):
        with pytest.raises(DomainError) as refused:
            request_return(company=dealer.company, order_id=order.pk, reason="damaged",
                           lines=[ReturnRequestLine(order.lines.first().pk, 1)])
        assert code_of(refused) == "NOT_RETURNABLE"
    # Billing and the ERP: no invoice, no event.
    assert not Invoice.objects.exists() and not OutboxEvent.objects.exists()
    # Once approved it counts.
    approve_order(user=dealer.approver, company=dealer.company, number=pending.number)
    counted = volumes("GBP", today - timedelta(days=1), today + timedelta(days=1), None)
    assert counted == {dealer.company.pk: (Decimal("100.01"), 1, 0)}
    assert list(_sale_orders(timezone.now() - day, timezone.now() + day)) == [pending]


def test_rebate_credit_is_checked_at_submission_and_spent_at_approval(dealer, settings):
    settings.REBATE_MAX_SHARE = Decimal("0.5")
    credit_wallet(company=dealer.company, amount=Decimal("30.00"), currency="GBP", reason="Q3 rebate",
                  reference="S-1", idempotency_key="s-1")
    with pytest.raises(DomainError) as too_much:
        place(dealer.buyer, dealer.company, "k0", rebate_credit=Decimal("40.00"))
    assert code_of(too_much) == "INSUFFICIENT_REBATE_CREDIT" and not Order.objects.exists()
    CartLine.objects.all().delete()
    order = place(dealer.buyer, dealer.company, "k1", rebate_credit=Decimal("30.00"))
    assert order.status == Order.Status.PENDING_APPROVAL and order.rebate_credit_used == Decimal("30.00")
    assert wallet_balance(dealer.company, "GBP") == Decimal("30.00")  # not spent yet
    approve_order(user=dealer.approver, company=dealer.company, number=order.number)
    assert wallet_balance(dealer.company, "GBP") == Decimal("0.00")
    assert outstanding(dealer.company) == Decimal("70.01")  # 100.01 - 30.00 on account
    paid = Payment.objects.get(order=order)
    assert (paid.method, paid.amount, paid.status) == ("rebate_credit", Decimal("30.00"), "succeeded")
