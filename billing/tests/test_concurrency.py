"""Billing's contended rows on real PostgreSQL connections: the number series, the dealer's
credit, an invoice two payments race for (transaction=True: each thread has its own connection)."""

import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from billing.models import Invoice, PaymentReceipt
from billing.selectors import balance
from billing.services import record_payment
from billing.tests.conftest import invoiced
from mall.errors import DomainError
from partners.models import CreditAccount
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from tests.concurrency import race
from tests.factories import CompanyFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db(transaction=True)


class RolledBack(Exception):
    pass


def test_concurrent_invoicing_leaves_no_gap_even_when_some_roll_back():
    dealers = [CompanyFactory() for _ in range(6)]

    def invoice(company, fail: bool):
        with transaction.atomic():
            number = invoiced(company, "10.00").number
            if fail:
                raise RolledBack(number)  # e.g. stock ran out after the invoice was numbered
            return number

    results = race(*[(lambda c=c, f=(i % 3 == 0): invoice(c, f)) for i, c in enumerate(dealers)])
    committed = sorted(r for r in results if isinstance(r, str))
    assert len(committed) == 4 and sum(isinstance(r, RolledBack) for r in results) == 2, results
    numbers = sorted(int(re.search(r"(\d{6})$", n).group(1)) for n in Invoice.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]  # the two rolled-back numbers were handed out again


def test_two_orders_on_account_cannot_both_pass_the_last_of_the_limit_and_credit_matches_the_ledger():
    VariantFactory(sku="LIM-1", list_price=Decimal("60.00"), stock=100)
    dealer = CompanyFactory(credit_account__credit_limit=Decimal("100.00"))
    first, second = UserFactory(company=dealer), UserFactory(company=dealer)
    add_lines(first, dealer, [LineChange("LIM-1", 1)])
    add_lines(second, dealer, [LineChange("LIM-1", 1)])

    results = race(
        lambda: checkout_complete(user=first, company=dealer, idempotency_key="one"),
        lambda: checkout_complete(user=second, company=dealer, idempotency_key="two"),
    )

    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 1 and errors[0].details[0].code == "CREDIT_LIMIT_EXCEEDED", results
    invoice = Invoice.objects.get()  # only the winner was invoiced
    assert (invoice.total, invoice.credit_held) == (Decimal("60.00"), Decimal("60.00"))
    assert CreditAccount.objects.get(company=dealer).outstanding == Decimal("60.00") == balance(dealer)


def test_a_payment_racing_a_checkout_keeps_credit_equal_to_what_open_invoices_hold():
    VariantFactory(sku="LIM-2", list_price=Decimal("60.00"), stock=100)
    dealer = CompanyFactory(credit_account__credit_limit=Decimal("100.00"))
    user = UserFactory(company=dealer)
    invoiced(dealer, "90.00")  # 10.00 of credit left: the order passes only after the payment
    add_lines(user, dealer, [LineChange("LIM-2", 1)])

    results = race(
        lambda: checkout_complete(user=user, company=dealer, idempotency_key="race"),
        lambda: record_payment(company=dealer, amount=Decimal("90.00"), currency="GBP", method="bank_transfer",
                               reference="BANK 1", idempotency_key="bank-1"),
    )

    assert isinstance(results[1], PaymentReceipt), results
    account = CreditAccount.objects.get(company=dealer)
    held = Invoice.objects.filter(company=dealer).aggregate(t=Sum("credit_held"))["t"]
    assert account.outstanding == held
    if isinstance(results[0], DomainError):  # the order came first and found no credit
        assert (account.outstanding, balance(dealer)) == (Decimal("0.00"), Decimal("0.00"))
    else:
        assert (account.outstanding, balance(dealer)) == (Decimal("60.00"), Decimal("60.00"))


def test_two_payments_racing_for_one_invoice_never_over_allocate_it():
    dealer = CompanyFactory()
    invoice = invoiced(dealer, "100.00")

    def pay(key):
        return record_payment(company=dealer, amount=Decimal("70.00"), currency="GBP", method="bank_transfer",
                              reference=key, idempotency_key=key)

    results = race(lambda: pay("a"), lambda: pay("b"), lambda: pay("a"))
    assert all(isinstance(r, PaymentReceipt) for r in results), results
    assert results[0].pk == results[2].pk  # the same key is one payment, also at once
    invoice.refresh_from_db()
    assert (invoice.amount_allocated, invoice.status) == (Decimal("100.00"), "paid")
    applied = sorted(PaymentReceipt.objects.values_list("amount_applied", flat=True))
    assert applied == [Decimal("30.00"), Decimal("70.00")]
    assert balance(dealer) == Decimal("-40.00")
    assert CreditAccount.objects.get(company=dealer).outstanding == Decimal("0.00")
