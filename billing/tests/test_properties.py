"""Property: after any sequence of invoices, payments, credit notes and refunds, the balance is
the sum of the ledger entries and agrees with the documents, no allocation exceeds what an
invoice was for or what a payment or credit note brought, and the dealer's credit in use is
exactly what its open invoices on account hold."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Allocation, CreditNote, Invoice, LedgerEntry, PaymentReceipt
from billing.selectors import balance, unapplied_credit
from billing.services import issue_credit_note, record_payment, record_refund
from billing.tests.conftest import invoiced
from mall.errors import DomainError
from partners.models import CreditAccount
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

cents = st.integers(min_value=1, max_value=50_000).map(lambda c: Decimal(c).scaleb(-2))
operation = st.one_of(
    st.tuples(st.just("invoice"), cents, st.sampled_from(["on_account", "card", "bank_transfer"])),
    st.tuples(st.just("pay"), cents, st.integers(min_value=0, max_value=9)),  # index of an order, or none
    st.tuples(st.just("credit"), cents, st.integers(min_value=-1, max_value=9)),  # -1: no invoice named
    st.tuples(st.just("refund"), cents, st.integers(min_value=-1, max_value=9)),  # index of a receipt
)


def _total(queryset, name="amount") -> Decimal:
    return queryset.aggregate(t=Sum(name))["t"] or Decimal("0")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=14))
def test_any_sequence_keeps_the_ledger_consistent(db, ops):
    company = CompanyFactory(credit_account__credit_limit=Decimal("2000.00"))
    expected = Decimal("0")  # worked out from the operations that went through
    invoices, receipts = [], []
    for n, (kind, amount, pick) in enumerate(ops):
        try:
            with transaction.atomic():
                if kind == "invoice":
                    invoices.append(invoiced(company, str(amount), method=pick))
                    expected += amount
                elif kind == "pay":
                    order = invoices[pick].order if pick < len(invoices) else None
                    receipts.append(record_payment(company=company, amount=amount, currency="GBP", method="bank_transfer",
                                                   reference=f"p{n}", idempotency_key=f"p{n}", order=order))
                    expected -= amount
                elif kind == "credit":
                    invoice = invoices[pick] if 0 <= pick < len(invoices) else None
                    issue_credit_note(company=company, amount=amount, currency="GBP", reason="test", source_reference="",
                                      idempotency_key=f"c{n}", invoice=invoice)
                    expected -= amount
                else:
                    receipt = receipts[pick] if 0 <= pick < len(receipts) else None
                    record_refund(company=company, amount=amount, currency="GBP", reference=f"r{n}", idempotency_key=f"r{n}",
                                  receipt=receipt)
                    expected += amount
        except DomainError as refused:  # over the limit, more than invoiced or than credit: nothing written
            assert refused.details[0].code in {
                "CREDIT_LIMIT_EXCEEDED", "CREDIT_EXCEEDS_INVOICE", "REFUND_EXCEEDS_PAYMENT", "REFUND_EXCEEDS_CREDIT"
            }

    entries = LedgerEntry.objects.filter(company=company)
    assert balance(company) == _total(entries) == expected
    # The documents tell the same story as the ledger.
    documents = (
        _total(Invoice.objects.filter(company=company), "total")
        - _total(PaymentReceipt.objects.filter(company=company))
        - _total(CreditNote.objects.filter(company=company))
        + _total(entries.filter(kind="refund"))
    )
    assert documents == expected
    open_amount = sum((i.total - i.amount_allocated for i in Invoice.objects.filter(company=company)), Decimal("0"))
    assert balance(company) == open_amount - unapplied_credit(company)
    for invoice in Invoice.objects.filter(company=company):
        allocated = _total(Allocation.objects.filter(invoice=invoice))
        assert allocated == invoice.amount_allocated
        assert Decimal("0") <= allocated <= invoice.total
        assert 0 <= invoice.credit_held <= invoice.total - allocated
        assert invoice.status == ("paid" if allocated == invoice.total else "partially_paid" if allocated else "open")
    for source in [*PaymentReceipt.objects.filter(company=company), *CreditNote.objects.filter(company=company)]:
        field = "receipt" if isinstance(source, PaymentReceipt) else "credit_note"
        assert _total(Allocation.objects.filter(**{field: source})) == source.amount_applied <= source.amount
    held = _total(Invoice.objects.filter(company=company), "credit_held")
    assert CreditAccount.objects.get(company=company).outstanding == held
