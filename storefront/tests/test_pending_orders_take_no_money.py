"""An order waiting for approval took nothing and told the ERP nothing, so cancelling it (the
ERP's cancel call, the back office) gives nothing back and sends nothing, and no payment can be
recorded against it. Values by hand: wallet 30.00, order 100.01 with 30.00 of rebate credit."""

from decimal import Decimal

import pytest

from integrations.models import OutboxEvent
from rebates.selectors import wallet_balance
from rebates.services import credit_wallet
from storefront.models import Order, Payment
from storefront.services.approvals import reject_order
from storefront.services.cancellation import cancel_order
from storefront.services.payments import record_payment

from .approval_setup import make_catalog, make_dealer, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def dealer():
    make_catalog()
    return make_dealer()


def test_cancelling_a_pending_order_gives_back_no_unspent_credit_and_sends_nothing(dealer, settings):
    settings.REBATE_MAX_SHARE = Decimal("0.5")
    credit_wallet(company=dealer.company, amount=Decimal("30.00"), currency="GBP", reason="Q3 rebate",
                  reference="S-1", idempotency_key="s-1")
    order = place(dealer.buyer, dealer.company, "k1", rebate_credit=Decimal("30.00"))
    assert order.status == Order.Status.PENDING_APPROVAL
    events_before = OutboxEvent.objects.count()

    cancel_order(order, reason="customer changed its mind", by="erp")

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert wallet_balance(dealer.company, "GBP") == Decimal("30.00")  # not 60.00: it was never spent
    assert OutboxEvent.objects.count() == events_before  # no order.cancelled for an unknown order


def test_no_payment_is_recorded_for_pending_or_rejected_orders(dealer):
    pending = place(dealer.buyer, dealer.company, "k1")
    assert record_payment(pending.pk) is False
    reject_order(user=dealer.approver, company=dealer.company, number=pending.number, reason="over budget")
    assert record_payment(pending.pk) is False
    assert not Payment.objects.filter(order=pending).exists()
    pending.refresh_from_db()
    assert pending.payment_status == Order.PaymentStatus.UNPAID
