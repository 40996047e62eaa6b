"""Decisions on one pending order at the same moment, on real PostgreSQL connections: exactly
one wins, the other is told the order was already decided, and stock and credit are taken
once. Also two admins demoting each other at once cannot leave the company without one."""

from decimal import Decimal

import pytest

from catalog.models import Stock
from integrations.models import OutboxEvent
from mall.errors import DomainError
from partners.memberships import update_membership
from partners.models import CreditAccount, Membership
from storefront.models import Order
from storefront.services.approvals import approve_order, reject_order, withdraw_order
from storefront.tests.approval_setup import make_catalog, make_dealer, make_member, place
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dealer():
    make_catalog()
    return make_dealer()


def outcome(results):
    won = [r for r in results if isinstance(r, Order)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == len(results) - 1, results
    return won[0], lost


def test_two_approvers_approving_at_once_confirm_it_once(dealer):
    order = place(dealer.buyer, dealer.company, "k1")
    won, lost = outcome(race(
        lambda: approve_order(user=dealer.approver, company=dealer.company, number=order.number),
        lambda: approve_order(user=dealer.admin, company=dealer.company, number=order.number),
    ))
    assert [e.details[0].code for e in lost] == ["ALREADY_DECIDED"]
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED and order.approval_decided_by_id == won.approval_decided_by.pk
    assert Stock.objects.get(variant__sku="BIG-100").quantity_allocated == 1  # not 2
    assert CreditAccount.objects.get(company=dealer.company).outstanding == Decimal("100.01")
    assert OutboxEvent.objects.filter(event_type="order.confirmed").count() == 1


def test_approve_and_reject_at_once_one_decision_stands(dealer):
    order = place(dealer.buyer, dealer.company, "k1")
    won, lost = outcome(race(
        lambda: approve_order(user=dealer.approver, company=dealer.company, number=order.number),
        lambda: reject_order(user=dealer.admin, company=dealer.company, number=order.number, reason="too much"),
    ))
    assert lost[0].details[0].code == "ALREADY_DECIDED"
    order.refresh_from_db()
    assert order.status == won.status
    taken = Stock.objects.get(variant__sku="BIG-100").quantity_allocated
    if order.status == Order.Status.CONFIRMED:
        assert taken == 1 and order.rejection_reason == ""
    else:
        assert order.status == Order.Status.REJECTED and taken == 0 and not OutboxEvent.objects.exists()


def test_approve_and_withdraw_at_once_one_wins(dealer):
    order = place(dealer.buyer, dealer.company, "k1")
    won, _ = outcome(race(
        lambda: approve_order(user=dealer.approver, company=dealer.company, number=order.number),
        lambda: withdraw_order(user=dealer.buyer, company=dealer.company, number=order.number),
    ))
    order.refresh_from_db()
    assert order.status == won.status
    expected = 1 if order.status == Order.Status.CONFIRMED else 0
    assert Stock.objects.get(variant__sku="BIG-100").quantity_allocated == expected


def test_two_pending_orders_approved_at_once_for_the_last_unit(dealer):
    Stock.objects.filter(variant__sku="BIG-100").update(quantity_on_hand=1)
    second_buyer = make_member(dealer.company, "buyer2@a1.example", Membership.Role.BUYER, order_limit=Decimal("1"))
    first = place(dealer.buyer, dealer.company, "k1")
    second = place(second_buyer, dealer.company, "k2")
    won, lost = outcome(race(
        lambda: approve_order(user=dealer.approver, company=dealer.company, number=first.number),
        lambda: approve_order(user=dealer.admin, company=dealer.company, number=second.number),
    ))
    assert lost[0].details[0].code == "INSUFFICIENT_STOCK"
    statuses = sorted(Order.objects.values_list("status", flat=True))
    assert statuses == ["confirmed", "pending_approval"]  # the loser still waits
    assert Stock.objects.get(variant__sku="BIG-100").quantity_allocated == 1


def test_two_admins_demoting_each_other_at_once_leave_one_admin(dealer):
    Membership.objects.filter(user=dealer.approver).update(role=Membership.Role.ADMIN)
    first, second = Membership.objects.get(user=dealer.admin), Membership.objects.get(user=dealer.approver)
    results = race(
        lambda: update_membership(actor=dealer.admin, company=dealer.company, membership_id=second.pk, role="buyer"),
        lambda: update_membership(actor=dealer.approver, company=dealer.company, membership_id=first.pk, role="buyer"),
    )
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 1 and errors[0].details[0].code in ("LAST_ADMIN", "NOT_ALLOWED"), results
    assert Membership.objects.filter(company=dealer.company, role=Membership.Role.ADMIN).count() == 1
