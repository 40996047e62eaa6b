"""The dealer's account pages: summary, invoices, statements and their files, own company only."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from billing.services import record_payment
from billing.tests.conftest import invoiced
from tests.factories import CompanyFactory, UserFactory
from tests.query_counts import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha(db):
    company = CompanyFactory(code="D-ALPHA", name="Alpha Tools Ltd", credit_account__credit_limit=Decimal("1000.00"))
    invoiced(company, "100.00", on=date(2026, 1, 10), number="A-1")
    invoiced(company, "50.00", on=date(2026, 2, 3), number="A-2")
    record_payment(company=company, amount=Decimal("70.00"), currency="GBP", method="bank_transfer", reference="BANK 7",
                   idempotency_key="bank-7", received_at=timezone.make_aware(timezone.datetime(2026, 2, 10, 9)))
    return company


@pytest.fixture
def alpha_client(client, alpha):
    client.force_login(UserFactory(company=alpha))
    return client


def test_account_page_shows_balance_credit_aging_and_open_invoices(alpha_client, alpha):
    page = alpha_client.get(reverse("storefront:account")).content.decode()
    # 150.00 invoiced, 70.00 paid to the oldest: 80.00 owed; 1,000 limit, 80.00 in use.
    assert 'data-testid="balance">£80.00<' in page
    assert 'data-testid="available">£920.00<' in page
    assert "INV-2026-000001" in page and "INV-2026-000002" in page
    # Both invoices are long overdue (issued in January and February 2026, net 30): on hold.
    assert "Orders on account are on hold: invoice INV-2026-000001 and 1 more (80.00 GBP in all)" in page


def test_invoice_page_and_another_dealers_invoice(alpha_client, alpha, client):
    page = alpha_client.get(reverse("storefront:invoice_detail", args=["INV-2026-000001"])).content.decode()
    assert 'data-testid="invoice-open">£30.00<' in page  # 100.00 less the 70.00 payment
    assert "BANK 7" in page
    beta = CompanyFactory(code="D-BETA")
    client.force_login(UserFactory(company=beta))
    assert client.get(reverse("storefront:invoice_detail", args=["INV-2026-000001"])).status_code == 404
    page = client.get(reverse("storefront:statement") + "?start=2026-01-01&end=2026-12-31").content.decode()
    assert "INV-2026-000001" not in page and 'data-testid="closing">£0.00<' in page


def test_anonymous_visitors_are_sent_to_sign_in(client, alpha):
    for url in (reverse("storefront:account"), reverse("storefront:invoice_detail", args=["INV-2026-000001"]),
                reverse("storefront:statement_file", args=["pdf"]) + "?start=2026-01-01&end=2026-12-31"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_statement_page_and_files_for_a_period(alpha_client, alpha):
    query = "?start=2026-02-01&end=2026-02-28"
    page = alpha_client.get(reverse("storefront:statement") + query).content.decode()
    assert 'data-testid="opening">£100.00<' in page and 'data-testid="closing">£80.00<' in page
    pdf = alpha_client.get(reverse("storefront:statement_file", args=["pdf"]) + query)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == 'attachment; filename="statement-D-ALPHA-2026-02-01-2026-02-28.pdf"'
    xlsx = alpha_client.get(reverse("storefront:statement_file", args=["xlsx"]) + query)
    sheet = load_workbook(BytesIO(xlsx.content)).active
    rows = [row for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert rows[0][3:] == ("Opening balance", None, None, 100)
    assert rows[1][1:] == ("Invoice", "INV-2026-000002", "Order A-2", 50, None, 150)
    assert rows[2][1:] == ("Payment", "BANK 7", "Payment (bank transfer)", None, 70, 80)
    assert rows[-1][3:] == ("Closing balance", None, None, 80)


def test_a_bad_period_is_a_clear_error(alpha_client):
    response = alpha_client.get(reverse("storefront:statement") + "?start=2026-03-01&end=2026-02-01")
    assert response.status_code == 400
    assert "The period must start on or before its last day." in response.content.decode()
    assert alpha_client.get(reverse("storefront:statement") + "?start=nonsense&end=2026-02-01").status_code == 400
    assert alpha_client.get(reverse("storefront:statement_file", args=["doc"])).status_code == 404


def test_account_page_queries_do_not_grow_with_invoices(alpha_client, alpha):
    def grow(n):
        for _ in range(n):
            invoiced(alpha, "1.00")

    assert_queries_do_not_grow(alpha_client, reverse("storefront:account"), grow, first=2, then=10)
