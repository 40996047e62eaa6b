"""Payments, credit notes and refunds on the dealer ledger: allocation, credit, balances."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Allocation, CreditNote, Invoice, LedgerEntry
from billing.selectors import aging, balance, open_invoices, statement, unapplied_credit
from billing.services import issue_credit_note, record_payment, record_refund
from billing.tests.conftest import invoiced
from integrations.models import OutboxEvent
from mall.errors import DomainError
from partners.models import CreditAccount
from tests.webhook_schemas import assert_matches_schema

pytestmark = pytest.mark.django_db


def outstanding(company) -> Decimal:
    return CreditAccount.objects.get(company=company).outstanding


def pay(company, amount, key, **extra):
    return record_payment(
        company=company, amount=Decimal(amount), currency="GBP", method="bank_transfer", reference=f"BANK {key}",
        idempotency_key=key, **extra,
    )


def test_a_payment_goes_to_the_order_first_then_the_oldest_invoices(dealer):
    old = invoiced(dealer, "100.00", on=date(2026, 1, 5))
    newer = invoiced(dealer, "50.00", on=date(2026, 2, 5))
    third = invoiced(dealer, "80.00", on=date(2026, 3, 5))
    assert outstanding(dealer) == Decimal("230.00")
    # 120.00 for the third order: 80.00 to its invoice, the other 40.00 to the oldest.
    receipt = pay(dealer, "120.00", "t-1", order=third.order)
    statuses = dict(Invoice.objects.values_list("number", "status"))
    assert statuses == {old.number: "partially_paid", newer.number: "open", third.number: "paid"}
    assert list(receipt.allocations.order_by("id").values_list("invoice__number", "amount")) == [
        (third.number, Decimal("80.00")), (old.number, Decimal("40.00"))
    ]
    assert balance(dealer) == Decimal("110.00")  # 230 - 120
    assert outstanding(dealer) == Decimal("110.00")  # the credit the paid part held is back
    assert [i.number for i in open_invoices(dealer)] == [old.number, newer.number]


def test_the_same_payment_key_records_the_payment_once(dealer):
    invoiced(dealer, "100.00")
    first = pay(dealer, "60.00", "erp-77")
    again = pay(dealer, "60.00", "erp-77")
    assert again.pk == first.pk
    assert balance(dealer) == Decimal("40.00")
    assert LedgerEntry.objects.filter(kind="payment").count() == 1


def test_an_overpayment_stays_as_credit_and_pays_the_next_invoice_on_account(dealer):
    invoiced(dealer, "30.00")
    pay(dealer, "50.00", "t-2")
    assert (balance(dealer), unapplied_credit(dealer), outstanding(dealer)) == (Decimal("-20.00"), Decimal("20.00"), Decimal("0.00"))
    nxt = invoiced(dealer, "25.00")
    nxt.refresh_from_db()
    assert (nxt.amount_allocated, nxt.status, nxt.credit_held) == (Decimal("20.00"), "partially_paid", Decimal("5.00"))
    assert (balance(dealer), unapplied_credit(dealer), outstanding(dealer)) == (Decimal("5.00"), Decimal("0.00"), Decimal("5.00"))


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [("0", "GBP", "AMOUNT_NOT_POSITIVE"), ("-5", "GBP", "AMOUNT_NOT_POSITIVE"), ("1.005", "GBP", "INVALID_AMOUNT"),
     ("10", "EUR", "CURRENCY_MISMATCH"), ("10", "gbp", "INVALID_CURRENCY")],
)
def test_bad_amounts_are_refused_and_nothing_is_written(dealer, amount, currency, code):
    with pytest.raises(DomainError) as refused:
        record_payment(company=dealer, amount=Decimal(amount), currency=currency, method="card", reference="x", idempotency_key="k")
    assert refused.value.details[0].code == code
    assert not LedgerEntry.objects.exists()


def test_a_credit_note_credits_its_invoice_and_is_announced(dealer):
    invoice = invoiced(dealer, "90.00")
    note = issue_credit_note(
        company=dealer, amount=Decimal("30.00"), currency="GBP", reason="Return RMA-1: 1 damaged widget",
        source_reference="RMA-1", idempotency_key="rma-1", invoice=invoice,
        lines=[{"sku": "WIDGET", "description": "Widget", "quantity": 1, "unit_price": Decimal("30.00"), "line_total": Decimal("30.00")}],
    )
    assert note.number == f"CN-{timezone.localdate().year}-000001"
    invoice.refresh_from_db()
    assert (invoice.amount_allocated, invoice.status, invoice.credit_held) == (Decimal("30.00"), "partially_paid", Decimal("60.00"))
    assert (balance(dealer), outstanding(dealer)) == (Decimal("60.00"), Decimal("60.00"))
    event = OutboxEvent.objects.get(event_type="credit_note.issued")
    assert event.data["credit_note"]["amount"] == "30.00"
    assert event.data["credit_note"]["invoice_number"] == invoice.number
    assert event.data["credit_note"]["lines"][0]["unit_price"] == "30.00"
    assert_matches_schema("credit_note.issued", event)
    # Same key: the same note; more than is left on the invoice: refused.
    assert issue_credit_note(company=dealer, amount=Decimal("30.00"), currency="GBP", reason="again", source_reference="RMA-1",
                             idempotency_key="rma-1", invoice=invoice) == note
    with pytest.raises(DomainError) as too_much:
        issue_credit_note(company=dealer, amount=Decimal("60.01"), currency="GBP", reason="too much",
                          source_reference="RMA-2", idempotency_key="rma-2", invoice=invoice)
    assert too_much.value.details[0].code == "CREDIT_EXCEEDS_INVOICE"
    assert CreditNote.objects.count() == 1


def test_a_card_refund_pays_out_the_credit_note_of_a_paid_invoice(dealer):
    invoice = invoiced(dealer, "100.00", method="card")
    receipt = record_payment(company=dealer, amount=Decimal("100.00"), currency="GBP", method="card", reference="pi_1",
                             idempotency_key="pi_1", order=invoice.order)
    issue_credit_note(company=dealer, amount=Decimal("30.00"), currency="GBP", reason="Return", source_reference="RMA-3",
                      idempotency_key="rma-3", invoice=invoice)
    assert (balance(dealer), unapplied_credit(dealer)) == (Decimal("-30.00"), Decimal("30.00"))
    entry = record_refund(company=dealer, amount=Decimal("30.00"), currency="GBP", reference="re_1", idempotency_key="re_1", receipt=receipt)
    assert (entry.kind, entry.amount) == ("refund", Decimal("30.00"))
    assert (balance(dealer), unapplied_credit(dealer)) == (Decimal("0.00"), Decimal("0.00"))
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert record_refund(company=dealer, amount=Decimal("30.00"), currency="GBP", reference="re_1", idempotency_key="re_1", receipt=receipt) == entry


def test_refunding_a_payment_without_credit_reopens_the_invoice_it_paid(dealer):
    invoice = invoiced(dealer, "100.00", method="card")
    receipt = record_payment(company=dealer, amount=Decimal("100.00"), currency="GBP", method="card", reference="pi_2",
                             idempotency_key="pi_2", order=invoice.order)
    record_refund(company=dealer, amount=Decimal("40.00"), currency="GBP", reference="re_2", idempotency_key="re_2", receipt=receipt)
    invoice.refresh_from_db()
    assert (invoice.amount_allocated, invoice.status) == (Decimal("60.00"), "partially_paid")
    assert balance(dealer) == Decimal("40.00")
    assert list(Allocation.objects.filter(receipt=receipt).order_by("id").values_list("amount", flat=True)) == [
        Decimal("100.00"), Decimal("-40.00"), Decimal("40.00")
    ]
    with pytest.raises(DomainError) as too_much:
        record_refund(company=dealer, amount=Decimal("60.01"), currency="GBP", reference="re_3", idempotency_key="re_3", receipt=receipt)
    assert too_much.value.details[0].code == "REFUND_EXCEEDS_PAYMENT"
    with pytest.raises(DomainError) as no_credit:
        record_refund(company=dealer, amount=Decimal("1.00"), currency="GBP", reference="re_4", idempotency_key="re_4")
    assert no_credit.value.details[0].code == "REFUND_EXCEEDS_CREDIT"


def test_aging_buckets_as_of_a_date(dealer):
    # Net 30. As of 2026-06-30: due 05-31 is 30 days past due, due 04-30 is 61, due 02-28 is 122.
    invoiced(dealer, "10.00", on=date(2026, 6, 20))  # due 07-20: current
    invoiced(dealer, "20.00", on=date(2026, 5, 1))  # due 05-31: 1-30
    invoiced(dealer, "40.00", on=date(2026, 3, 31))  # due 04-30: 61-90
    oldest = invoiced(dealer, "80.00", on=date(2026, 1, 29))  # due 02-28: 90+
    pay(dealer, "30.00", "t-3", received_at=timezone.make_aware(timezone.datetime(2026, 7, 2, 9)))  # after the date
    report = aging(dealer, date(2026, 6, 30))
    assert report.buckets == {
        "current": Decimal("10.00"), "1-30": Decimal("20.00"), "31-60": Decimal("0"), "61-90": Decimal("40.00"), "90+": Decimal("80.00")
    }
    assert report.total == Decimal("150.00")
    # A week later the payment has been applied to the oldest invoice.
    later = aging(dealer, date(2026, 7, 7))
    assert later.buckets["90+"] == Decimal("50.00")
    assert oldest.due_on == date(2026, 2, 28)


def test_statement_for_a_period(dealer):
    invoiced(dealer, "100.00", on=date(2026, 1, 10), number="S-1")
    inside = invoiced(dealer, "50.00", on=date(2026, 2, 3), number="S-2")
    pay(dealer, "70.00", "t-4", received_at=timezone.make_aware(timezone.datetime(2026, 2, 10, 9)))
    invoiced(dealer, "9.00", on=date(2026, 3, 1), number="S-3")
    result = statement(dealer, date(2026, 2, 1), date(2026, 2, 28))
    assert result.opening_balance == Decimal("100.00")
    assert [(line.occurred_on, line.kind, line.document, line.debit, line.credit, line.balance) for line in result.lines] == [
        (date(2026, 2, 3), "invoice", inside.number, Decimal("50.00"), Decimal("0"), Decimal("150.00")),
        (date(2026, 2, 10), "payment", "BANK t-4", Decimal("0"), Decimal("70.00"), Decimal("80.00")),
    ]
    assert result.closing_balance == Decimal("80.00")
    assert (result.total_debits, result.total_credits) == (Decimal("50.00"), Decimal("70.00"))
    assert balance(dealer, as_of=date(2026, 2, 28)) == result.closing_balance


def test_refunds_ledger_entries_never_move_the_credit_the_paid_invoices_gave_back(dealer):
    invoiced(dealer, "200.00")
    pay(dealer, "200.00", "t-5")
    assert outstanding(dealer) == Decimal("0.00")
    assert open_invoices(dealer).count() == 0
    today = timezone.localdate()
    assert aging(dealer, today + timedelta(days=100)).total == Decimal("0")
