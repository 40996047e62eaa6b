"""The dealer's own dashboard and its GraphQL purchase summary: its own figures only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from insights import services
from insights.tests.factories import at, order, returned
from tests.factories import CompanyFactory, ProductFactory, UserFactory, VariantFactory
from tests.query_counts import assert_queries_do_not_grow

SUMMARY = """query($months: Int, $top: Int) { purchaseSummary(months: $months, top: $top) {
  byMonth { month orders spend { amount currency } returns { amount } net { amount } }
  topProducts { sku name units net { amount currency } } } }"""


@pytest.fixture
def two_dealers(db):
    """Alpha bought 4 × LAMP at 2.50 last month and 1 × LAMP + 3 × VASE at 7.00 this month,
    and returned 1 LAMP; Beta bought 9 × SECRET at 11.11 this month."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    lamp = VariantFactory(sku="LAMP", product=ProductFactory(name="Desk lamp"))
    vase = VariantFactory(sku="VASE", product=ProductFactory(name="Glass vase"))
    secret = VariantFactory(sku="SECRET", product=ProductFactory(name="Beta only"))
    alpha, beta = CompanyFactory(name="Alpha"), CompanyFactory(name="Beta")
    order(alpha, at(last_month.isoformat()), [(lamp, 4, "2.50")])
    order(alpha, at(this_month.isoformat()), [(lamp, 1, "2.50"), (vase, 3, "7.00")])
    returned(alpha, at(this_month.isoformat(), 12), [(lamp, 1, "2.50")], number="C-A1")
    order(beta, at(this_month.isoformat()), [(secret, 9, "11.11")])
    services.refresh_changed_days()
    return {
        "alpha": UserFactory(email="buyer@alpha.example", company=alpha),
        "beta": UserFactory(email="buyer@beta.example", company=beta),
        "months": (last_month.strftime("%Y-%m"), this_month.strftime("%Y-%m")),
    }


def test_dealer_sees_its_own_purchases_and_top_products(client, two_dealers):
    client.force_login(two_dealers["alpha"])
    page = client.get("/dashboard/").content.decode()
    last, this = two_dealers["months"]
    assert "My dashboard" in page and "<svg" in page
    assert f"<th scope=\"row\">{last}</th><td class=\"num\">1</td><td class=\"num\">10.00 GBP</td>" in page
    # This month: 2.50 + 21.00 spent, 2.50 back: 21.00 net.
    assert f"<th scope=\"row\">{this}</th><td class=\"num\">1</td><td class=\"num\">23.50 GBP</td><td class=\"num\">2.50</td><td class=\"num\">21.00</td>" in page
    assert "Glass vase" in page and "Desk lamp" in page
    assert "No open invoices." in page and "You are in no rebate program" in page


def test_dealer_b_sees_none_of_dealer_as_figures(client, two_dealers):
    client.force_login(two_dealers["beta"])
    page = client.get("/dashboard/").content.decode()
    assert "99.99 GBP" in page and "Beta only" in page
    for alphas in ("Desk lamp", "Glass vase", "23.50", "10.00 GBP"):
        assert alphas not in page


def test_dashboard_needs_a_signed_in_dealer(client, two_dealers):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(UserFactory(email="nobody@example.com"))
    assert client.get("/dashboard/").status_code == 403


def test_purchase_summary_over_graphql_is_the_dealers_own(graphql, two_dealers):
    last, this = two_dealers["months"]
    data = graphql(two_dealers["alpha"]).execute(SUMMARY)["data"]["purchaseSummary"]
    assert data["byMonth"] == [
        {"month": last, "orders": 1, "spend": {"amount": "10.00", "currency": "GBP"}, "returns": {"amount": "0.00"}, "net": {"amount": "10.00"}},
        {"month": this, "orders": 1, "spend": {"amount": "23.50", "currency": "GBP"}, "returns": {"amount": "2.50"}, "net": {"amount": "21.00"}},
    ]
    assert data["topProducts"] == [
        {"sku": "VASE", "name": "Glass vase", "units": 3, "net": {"amount": "21.00", "currency": "GBP"}},
        {"sku": "LAMP", "name": "Desk lamp", "units": 4, "net": {"amount": "10.00", "currency": "GBP"}},
    ]
    beta = graphql(two_dealers["beta"]).execute(SUMMARY)["data"]["purchaseSummary"]
    assert [p["sku"] for p in beta["topProducts"]] == ["SECRET"]
    assert [m["net"]["amount"] for m in beta["byMonth"]] == ["99.99"]


def test_purchase_summary_refuses_anonymous_and_bad_arguments(graphql, two_dealers):
    anonymous = graphql().execute(SUMMARY)
    assert anonymous["data"] is None and anonymous["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    bad = graphql(two_dealers["alpha"]).execute(SUMMARY, {"months": 0})
    assert bad["errors"][0]["extensions"] == {"code": "INVALID", "field": "months"}


def test_purchase_summary_with_null_arguments_uses_the_defaults(graphql, two_dealers):
    # Found by the fuzzer (tests/test_graphql_fuzz.py): `months: null` compared None with 1, a 500.
    explicit_null = graphql(two_dealers["alpha"]).execute("{ purchaseSummary(months: null, top: null) { topProducts { sku } } }")
    assert explicit_null == {"data": {"purchaseSummary": {"topProducts": [{"sku": "VASE"}, {"sku": "LAMP"}]}}}


def test_dashboard_queries_do_not_grow_with_the_history(client, two_dealers):
    alpha = two_dealers["alpha"].membership.company
    products = [VariantFactory(sku=f"GROW-{n}") for n in range(12)]
    made = []

    def grow(n):
        for _ in range(n):
            start = timezone.localdate().replace(day=1) - timedelta(days=40 * len(made))
            order(alpha, at(start.replace(day=1).isoformat()), [(products[len(made) % 12], 1, "1.00")])
            made.append(start)
        services.refresh_changed_days()

    client.force_login(two_dealers["alpha"])
    assert_queries_do_not_grow(client, "/dashboard/", grow, first=2, then=6)
