"""The dealer-side billing API: own company only, anonymous gets nothing; the staff mutation."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.services import issue_credit_note, record_payment
from billing.tests.conftest import invoiced
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT = """{ account { currency balance { amount currency } creditLimit { amount } creditInUse { amount }
  creditAvailable { amount } unappliedCredit { amount } terms graceDays onHold holdMessage
  aging { asOf total { amount } buckets { label amount { amount } } } } }"""
INVOICES = """query($status: InvoiceStatusEnum, $first: Int) { invoices(status: $status, first: $first) {
  totalCount edges { node { number orderNumber status issuedOn dueOn total { amount } amountOpen { amount }
  lines { sku quantity lineTotal { amount } } payments { kind reference amount { amount } } } } } }"""
INVOICE = "query($number: String!) { invoice(number: $number) { number amountPaid { amount } } }"
STATEMENT = """query($start: Date!, $end: Date!) { statement(start: $start, end: $end) {
  openingBalance { amount } closingBalance { amount } totalDebits { amount } totalCredits { amount }
  entries { date kind document debit { amount } credit { amount } balance { amount } } } }"""
RELEASE = """mutation($code: String!, $until: Date!) { releaseOverdueHold(dealerCode: $code, until: $until, note: "call") {
  releasedUntil errors { field code message } } }"""


@pytest.fixture
def alpha(db):
    company = CompanyFactory(code="G-ALPHA", credit_account__credit_limit=Decimal("500.00"))
    invoiced(company, "100.00", on=date(2026, 1, 10), number="GA-1")
    invoiced(company, "50.00", on=timezone.localdate(), number="GA-2")
    record_payment(company=company, amount=Decimal("70.00"), currency="GBP", method="bank_transfer", reference="BANK 7",
                   idempotency_key="bank-7", received_at=timezone.make_aware(timezone.datetime(2026, 2, 10, 9)))
    issue_credit_note(company=company, amount=Decimal("5.00"), currency="GBP", reason="Goodwill", source_reference="",
                      idempotency_key="gw-1")
    return company


def test_dealer_reads_its_account(graphql, alpha):
    data = graphql(UserFactory(company=alpha)).execute(ACCOUNT)["data"]["account"]
    # 150.00 invoiced - 70.00 paid - 5.00 credited = 75.00; the first invoice has 25.00 open and is long overdue.
    assert data["balance"] == {"amount": "75.00", "currency": "GBP"}
    assert (data["creditLimit"], data["creditInUse"], data["creditAvailable"]) == ({"amount": "500.00"}, {"amount": "75.00"}, {"amount": "425.00"})
    assert (data["terms"], data["graceDays"], data["onHold"]) == ("Net 30", 7, True)
    assert data["holdMessage"].startswith("Orders on account are on hold: invoice INV-2026-000001 (25.00 GBP in all)")
    buckets = {b["label"]: b["amount"]["amount"] for b in data["aging"]["buckets"]}
    assert buckets == {"current": "50.00", "1-30": "0.00", "31-60": "0.00", "61-90": "0.00", "90+": "25.00"}
    assert data["aging"]["total"] == {"amount": "75.00"}


def test_dealer_lists_and_filters_its_invoices(graphql, alpha):
    api = graphql(UserFactory(company=alpha))
    data = api.execute(INVOICES)["data"]["invoices"]
    assert data["totalCount"] == 2
    first = data["edges"][1]["node"]
    assert (first["number"], first["orderNumber"], first["status"], first["amountOpen"]) == ("INV-2026-000001", "GA-1", "PARTIALLY_PAID", {"amount": "25.00"})
    assert first["lines"] == [{"sku": "WIDGET", "quantity": 2, "lineTotal": {"amount": "100.00"}}]
    assert first["payments"] == [
        {"kind": "payment", "reference": "BANK 7", "amount": {"amount": "70.00"}},
        {"kind": "credit_note", "reference": f"CN-{timezone.localdate().year}-000001", "amount": {"amount": "5.00"}},
    ]
    open_only = api.execute(INVOICES, {"status": "OPEN"})["data"]["invoices"]
    assert [e["node"]["number"] for e in open_only["edges"]] == ["INV-2026-000002"]


def test_invoices_query_count_does_not_grow_with_page_size(graphql, alpha):
    api = graphql(UserFactory(company=alpha))

    def count(first):
        with CaptureQueriesContext(connection) as ctx:
            assert "errors" not in api.execute(INVOICES, {"first": first})
        return len(ctx.captured_queries)

    few = count(1)
    for _ in range(5):
        invoiced(alpha, "3.00")
    assert count(7) == few


def test_statement_for_a_period(graphql, alpha):
    api = graphql(UserFactory(company=alpha))
    data = api.execute(STATEMENT, {"start": "2026-02-01", "end": "2026-02-28"})["data"]["statement"]
    assert (data["openingBalance"], data["closingBalance"]) == ({"amount": "100.00"}, {"amount": "30.00"})
    assert data["entries"] == [
        {"date": "2026-02-10", "kind": "payment", "document": "BANK 7", "debit": None, "credit": {"amount": "70.00"}, "balance": {"amount": "30.00"}}
    ]
    bad = api.execute(STATEMENT, {"start": "2026-03-01", "end": "2026-02-01"})
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_PERIOD"


def test_another_dealer_and_anonymous_see_nothing(graphql, alpha):
    beta = graphql(UserFactory(company=CompanyFactory(code="G-BETA")))
    assert beta.execute(INVOICE, {"number": "INV-2026-000001"})["data"]["invoice"] is None
    assert beta.execute(INVOICES)["data"]["invoices"]["totalCount"] == 0
    statement = beta.execute(STATEMENT, {"start": "2026-01-01", "end": "2026-12-31"})["data"]["statement"]
    assert (statement["entries"], statement["closingBalance"]) == ([], {"amount": "0.00"})
    assert beta.execute(ACCOUNT)["data"]["account"]["balance"]["amount"] == "0.00"
    # Alpha's own user does see it, by our number and by the ERP's.
    assert graphql(UserFactory(company=alpha)).execute(INVOICE, {"number": "INV-2026-000001"})["data"]["invoice"]["amountPaid"] == {"amount": "75.00"}
    for query, variables in ((ACCOUNT, None), (INVOICES, None), (INVOICE, {"number": "INV-2026-000001"}),
                             (STATEMENT, {"start": "2026-01-01", "end": "2026-12-31"})):
        body = graphql().execute(query, variables)
        assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
        assert body["data"] is None or all(value is None for value in body["data"].values())


def test_finance_releases_a_hold_through_the_api(graphql, alpha):
    until = (timezone.localdate() + timedelta(days=5)).isoformat()
    dealer_user = graphql(UserFactory(company=alpha)).execute(RELEASE, {"code": "G-ALPHA", "until": until})
    assert dealer_user["data"]["releaseOverdueHold"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert graphql().execute(RELEASE, {"code": "G-ALPHA", "until": until})["data"]["releaseOverdueHold"]["errors"][0]["code"] == "NOT_AUTHENTICATED"
    finance = UserFactory(email="finance@vendor.example", is_staff=True)
    finance.user_permissions.add(Permission.objects.get(codename="change_creditaccount"))
    answer = graphql(finance).execute(RELEASE, {"code": "G-ALPHA", "until": until})["data"]["releaseOverdueHold"]
    assert answer == {"releasedUntil": until, "errors": []}
    assert graphql(UserFactory(company=alpha)).execute(ACCOUNT)["data"]["account"]["onHold"] is False
    past = graphql(finance).execute(RELEASE, {"code": "G-ALPHA", "until": "2020-01-01"})["data"]["releaseOverdueHold"]
    assert past["errors"][0]["code"] == "INVALID"
