"""Fixtures of the billing tests: a dealer on net-30 terms and a helper that invoices an order."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.services import invoice_order
from partners.services import reserve_credit
from tests.factories import CompanyFactory, OrderFactory, OrderLineFactory


@pytest.fixture
def dealer(db):
    """Net 30, 7 days' grace, a limit of 1,000.00 GBP."""
    return CompanyFactory(code="D-BILL", name="Ledger Tools Ltd", credit_account__credit_limit=Decimal("1000.00"))


def invoiced(company, total: str, *, on: date | None = None, method: str = "on_account", number: str | None = None):
    """An order of one line for `total`, its credit taken (on account) and its invoice.
    `on` backdates it (as imported history is): the invoice is issued and due from that day."""
    amount = Decimal(total)
    extra = {"number": number} if number else {}
    if on is not None:
        extra.update(source="import", placed_at=timezone.make_aware(datetime.combine(on, time(12))))
    order = OrderFactory(company=company, currency="GBP", subtotal=amount, total=amount, payment_method=method, **extra)
    OrderLineFactory(order=order, line_number=1, sku="WIDGET", quantity=2, unit_price=amount / 2, line_total=amount)
    if method == "on_account":
        reserve_credit(company.pk, amount, "GBP")
    return invoice_order(order)
