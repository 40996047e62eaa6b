"""Returns (RMA): request, approve or reject, receive — stock back, credit note against the
invoice, rebate reversed; quantities and the window are enforced, also under concurrency."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone

from billing.models import CreditNote
from catalog.models import Stock
from integrations.models import OutboxEvent
from mall.errors import DomainError
from rebates.models import DealerPeriod
from rebates.tests.factories import RebateProgramFactory
from storefront.models import Return
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from storefront.services.returns import (
    ReturnRequestLine,
    approve_return,
    receive_return,
    reject_return,
    request_return,
    returnable,
)
from tests.concurrency import race
from tests.factories import CompanyFactory, UserFactory, VariantFactory
from tests.webhook_schemas import assert_matches_schema


def place(user, dealer, **lines):
    add_lines(user, dealer, [LineChange(sku, qty) for sku, qty in lines.items()])
    return checkout_complete(user=user, company=dealer, idempotency_key=f"k-{timezone.now().timestamp()}").order


@pytest.fixture
def bought(db):
    VariantFactory(sku="LAMP", list_price=D("10.00"), stock=50)
    VariantFactory(sku="BULB", list_price=D("2.50"), stock=50)
    dealer = CompanyFactory()
    user = UserFactory(company=dealer)
    order = place(user, dealer, LAMP=3, BULB=4)  # 30.00 + 10.00
    lines = {line.sku: line for line in order.lines.all()}
    return user, dealer, order, lines


def ask(dealer, order, *pairs, **extra):
    return request_return(company=dealer, order_id=order.pk,
                          lines=[ReturnRequestLine(line.pk, qty) for line, qty in pairs], reason="Arrived broken", **extra)


def test_request_approve_receive(bought):
    user, dealer, _, _ = bought
    RebateProgramFactory(ladder=[(0, 10)], starts_on="2000-01-01", ends_on="2100-12-31")
    order = place(user, dealer, LAMP=3, BULB=2)  # 35.00, accrues 3.50
    lines = {line.sku: line for line in order.lines.all()}
    ret = ask(dealer, order, (lines["LAMP"], 2), user=user)
    assert (ret.number, ret.status, ret.total) == (f"RMA{ret.pk:08d}", "requested", D("20.00"))
    approve_return(ret)
    event = OutboxEvent.objects.get(event_type="return.approved")
    assert event.data["return"]["lines"][0] == {"line": 1, "sku": "LAMP", "name": lines["LAMP"].product_name, "quantity": 2,
                                                "unit_price": "10.00", "credit": "20.00"}
    assert_matches_schema("return.approved", event)
    on_hand = Stock.objects.get(variant__sku="LAMP").quantity_on_hand
    received = receive_return(ret)
    assert received.status == "completed"
    assert Stock.objects.get(variant__sku="LAMP").quantity_on_hand == on_hand + 2
    stock_event = OutboxEvent.objects.filter(event_type="stock.updated").latest("created_at")
    assert stock_event.data["reason"] == "returned"
    assert_matches_schema("stock.updated", stock_event)
    note = CreditNote.objects.get(company=dealer)
    assert (note.amount, note.number, note.invoice.order_id) == (D("20.00"), received.credit_note_number, order.pk)
    period = DealerPeriod.objects.get(company=dealer)
    assert (period.volume, period.accrued) == (D("15.00"), D("1.50"))  # 35 - 20 at 10%
    receive_return(ret)  # again: nothing more
    assert CreditNote.objects.count() == 1


def test_quantities_are_held_until_rejected(bought):
    _, dealer, order, lines = bought
    first = ask(dealer, order, (lines["BULB"], 3))
    with pytest.raises(DomainError) as error:
        ask(dealer, order, (lines["BULB"], 2))
    assert error.value.details[0].code == "TOO_MANY"
    assert "4 ordered, 3 already returned or asked for; at most 1 more" in error.value.details[0].message
    with pytest.raises(DomainError):
        reject_return(first, reason="  ")
    reject_return(first, reason="Outside our returns policy for bulbs")
    assert returnable(order)[lines["BULB"].pk] == 4
    assert Return.objects.get(pk=first.pk).rejection_reason == "Outside our returns policy for bulbs"
    with pytest.raises(DomainError):
        approve_return(first)


def test_the_last_units_of_a_line_get_exactly_what_is_left(db):
    VariantFactory(sku="ODD", list_price=D("10.00"), stock=10)
    dealer = CompanyFactory()
    user = UserFactory(company=dealer)
    order = place(user, dealer, ODD=3)
    line = order.lines.get()
    line.line_total = D("10.00")  # e.g. after an order discount share: 3.33 + 3.33 + 3.34
    line.save()
    assert [ask(dealer, order, (line, 1)).total for _ in range(3)] == [D("3.33"), D("3.33"), D("3.34")]


def test_window_status_and_ownership(bought, settings):
    _, dealer, order, lines = bought
    stranger = CompanyFactory()
    with pytest.raises(DomainError) as error:
        ask(stranger, order, (lines["LAMP"], 1))
    assert error.value.details[0].code == "NOT_FOUND"
    settings.RETURN_WINDOW_DAYS = 30
    with pytest.raises(DomainError) as error:
        ask(dealer, order, (lines["LAMP"], 1), moment=order.placed_at + timedelta(days=31))
    assert error.value.details[0].code == "WINDOW_CLOSED"
    with pytest.raises(DomainError) as error:
        ask(dealer, order, (lines["LAMP"], 0))
    assert error.value.details[0].code == "INVALID"
    order.status = "cancelled"
    order.save()
    with pytest.raises(DomainError) as error:
        ask(dealer, order, (lines["LAMP"], 1))
    assert error.value.details[0].code == "NOT_RETURNABLE"
    assert Return.objects.count() == 0


def test_same_key_same_return(bought):
    _, dealer, order, lines = bought
    first = ask(dealer, order, (lines["LAMP"], 1), idempotency_key="rma-1")
    assert ask(dealer, order, (lines["LAMP"], 1), idempotency_key="rma-1").pk == first.pk
    assert Return.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_requests_for_the_last_units_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    VariantFactory(sku="LAMP", list_price=D("10.00"), stock=10)
    dealer = CompanyFactory()
    user = UserFactory(company=dealer)
    order = place(user, dealer, LAMP=3)
    line = order.lines.get()
    results = race(lambda: ask(dealer, order, (line, 2)), lambda: ask(dealer, order, (line, 2)))
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(lost) == 1 and lost[0].details[0].code == "TOO_MANY", results
    assert Return.objects.count() == 1
