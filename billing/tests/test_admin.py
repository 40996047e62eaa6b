"""Back office: read-only documents, dealer accounts, a bank transfer recorded once, statements
downloaded, the overdue hold released."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Invoice, PaymentReceipt
from billing.selectors import balance, on_account_block
from billing.tests.conftest import invoiced
from partners.models import CreditAccount
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(client):
    client.force_login(UserFactory(email="admin@vendor.example", is_staff=True, is_superuser=True))
    return client


def test_pages_render_and_documents_cannot_be_edited(finance, dealer):
    invoice = invoiced(dealer, "40.00")
    for name in ("invoice", "creditnote", "paymentreceipt", "ledgerentry", "dealeraccount"):
        assert finance.get(reverse(f"admin:billing_{name}_changelist")).status_code == 200
    page = finance.get(reverse("admin:billing_invoice_change", args=[invoice.pk])).content.decode()
    assert invoice.number in page and 'name="total"' not in page  # shown, not editable
    assert finance.get(reverse("admin:billing_invoice_add")).status_code == 403


def test_finance_records_a_bank_transfer_once(finance, dealer):
    first = invoiced(dealer, "40.00", on=date(2026, 1, 5))
    account = CreditAccount.objects.get(company=dealer)
    url = reverse("admin:billing_dealeraccount_transfer", args=[account.pk])
    form = finance.get(url).content.decode()
    assert "Record the transfer" in form
    post = {"amount": "55.00", "reference": "BACS ALPHA 0042", "received_on": "2026-02-01", "idempotency_key": "f1"}
    assert finance.post(url, post).status_code == 302
    assert finance.post(url, post).status_code == 302  # submitted twice: recorded once
    receipt = PaymentReceipt.objects.get()
    assert (receipt.amount, receipt.amount_applied, receipt.method, receipt.reference) == (
        Decimal("55.00"), Decimal("40.00"), "bank_transfer", "BACS ALPHA 0042"
    )
    assert Invoice.objects.get(pk=first.pk).status == "paid"
    assert balance(dealer) == Decimal("-15.00")
    bad = finance.post(url, {**post, "amount": "1.001", "idempotency_key": "f2"})
    assert bad.status_code == 200 and "finer than the smallest unit of GBP" in bad.content.decode()


def test_staff_without_the_permission_cannot_record_transfers(client, dealer):
    client.force_login(UserFactory(email="clerk@vendor.example", is_staff=True))
    account = CreditAccount.objects.get(company=dealer)
    assert client.get(reverse("admin:billing_dealeraccount_transfer", args=[account.pk])).status_code == 403


def test_statement_downloads_in_the_back_office(finance, dealer):
    invoiced(dealer, "12.00", on=date(2026, 3, 3))
    account = CreditAccount.objects.get(company=dealer)
    url = reverse("admin:billing_dealeraccount_statement", args=[account.pk])
    page = finance.get(url, {"start": "2026-03-01", "end": "2026-03-31"}).content.decode()
    assert "INV-2026-000001" in page and '<strong class="closing">12.00</strong>' in page
    pdf = finance.get(url, {"start": "2026-03-01", "end": "2026-03-31", "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    xlsx = finance.get(url, {"start": "2026-03-01", "end": "2026-03-31", "format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="statement-D-BILL-2026-03-01-2026-03-31.xlsx"'


def test_the_release_action_lets_a_held_dealer_order_on_account(finance, dealer):
    invoiced(dealer, "12.00", on=timezone.localdate() - timedelta(days=60))
    assert on_account_block(dealer) is not None
    account = CreditAccount.objects.get(company=dealer)
    changelist = reverse("admin:billing_dealeraccount_changelist")
    assert "on hold" in finance.get(changelist).content.decode()
    finance.post(changelist, {"action": "release_hold", "_selected_action": [account.pk]})
    account.refresh_from_db()
    assert account.hold_released_until == timezone.localdate() + timedelta(days=7)
    assert account.hold_released_by.email == "admin@vendor.example"
    assert on_account_block(dealer) is None


def test_finance_issues_a_goodwill_credit_note(finance, dealer):
    invoice = invoiced(dealer, "40.00")
    url = reverse("admin:billing_dealeraccount_credit", args=[CreditAccount.objects.get(company=dealer).pk])
    assert "Issue the credit note" in finance.get(url).content.decode()
    post = {"amount": "15.00", "reason": "Goodwill: late delivery", "invoice_number": invoice.number, "idempotency_key": "c1"}
    assert finance.post(url, post).status_code == 302
    assert finance.post(url, post).status_code == 302  # twice: one credit note
    invoice.refresh_from_db()
    assert (invoice.amount_allocated, invoice.status, balance(dealer)) == (Decimal("15.00"), "partially_paid", Decimal("25.00"))
    unknown = finance.post(url, {**post, "invoice_number": "INV-1999-000009", "idempotency_key": "c2"})
    assert "This dealer has no invoice with this number." in unknown.content.decode()
    too_much = finance.post(url, {**post, "amount": "30.00", "idempotency_key": "c3"})
    assert "at most 25.00 more can be" in too_much.content.decode()
