"""The pricing preview in the back office (pricing_engine/admin_preview.py): a named dealer's
cart and a hypothetical tier + region dealer, bad lines as messages (never a 500), staff only,
a constant number of queries, and a scenario JSON that `price_cart` prices the same way."""

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pricing_engine.core import price_cart
from pricing_engine.core.codec import request_from_dict
from pricing_engine.tests.conftest import PromotionFactory, VoucherFactory
from tests.factories import (
    CompanyFactory,
    PriceListFactory,
    RegionFactory,
    TierFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db

URL = "/admin/pricing_engine/preview/"
MOMENT = "2027-03-15T12:00:00"  # inside PromotionFactory's window (March 2027)
SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "pricing-scenario.schema.json"


@pytest.fixture
def gold():
    tier = TierFactory(code="GOLD", name="Gold")
    PriceListFactory(name="Gold list", tier=tier, default_discount_percent=Decimal("10"))
    return tier


@pytest.fixture
def germany():
    return RegionFactory(code="germany", name="Germany")


def post(client, **fields):
    data = {"moment": MOMENT, "voucher_codes": "", "lines": "", "company_code": "", "currency": ""}
    data.update(fields)
    return client.post(URL, data)


def line_row(page: str, sku: str) -> str:
    start = page.index(f'data-sku="{sku}"')
    return page[start : page.index("</tr>", start)]


def test_the_url_and_the_links_to_it(admin_client):
    assert reverse("admin:pricing_engine_preview") == URL
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert 'name="lines"' in response.content.decode()
    for page in [
        reverse("admin:app_list", args=["pricing_engine"]),
        reverse("admin:pricing_engine_promotion_changelist"),
    ]:
        assert URL in admin_client.get(page).content.decode(), page


def test_a_gold_dealer_gets_the_gold_list_then_the_promotion(admin_client, gold):
    dealer = CompanyFactory(code="17850", tier=gold)
    VariantFactory(sku="85123A", list_price=Decimal("100.00"))
    PromotionFactory(name="Spring 10%")
    response = post(admin_client, company_code="17850", lines="85123A 12")
    assert response.status_code == 200
    page = response.content.decode()
    row = line_row(page, "85123A")
    assert "list 100.00" in row
    assert "Gold list 90.00" in row and "(-10.00" in row
    assert "Spring 10% 81.00" in row and "(-9.00" in row
    assert "972.00" in row  # 12 x 81.00
    priced = response.context["priced"]
    assert priced.total == Decimal("972.00")
    assert [s.unit_price for s in priced.lines[0].waterfall] == [
        Decimal("100.00"),
        Decimal("90.00"),
        Decimal("81.00"),
    ]
    assert str(dealer) in page
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "pricing_engine",
            "model_name": "pricelist",
            "field_name": "company",
            "term": "1785",
        },
    )
    assert [r["id"] for r in found.json()["results"]] == [str(dealer.pk)]
    # the same dealer picked in the autocomplete box
    response = post(admin_client, company=str(dealer.pk), lines="85123A 12")
    assert response.context["priced"].total == Decimal("972.00")


def test_a_hypothetical_gold_dealer_in_germany(admin_client, gold, germany):
    france = RegionFactory(code="france", name="France")
    VariantFactory(sku="85123A", list_price=Decimal("100.00"))
    PromotionFactory(name="Gold Germany 10%", relations__tiers=[gold], relations__regions=[germany])
    PromotionFactory(
        name="Gold France 20%",
        reward={"percent": "20"},
        relations__tiers=[gold],
        relations__regions=[france],
    )
    PromotionFactory(
        name="Named dealers 30%", reward={"percent": "30"}, relations__companies=[CompanyFactory()]
    )
    response = post(admin_client, tier=str(gold.pk), region=str(germany.pk), lines="85123A 1")
    assert response.status_code == 200
    page = response.content.decode()
    assert "a hypothetical Gold dealer in Germany" in page
    assert "Gold Germany 10% 81.00" in line_row(page, "85123A")
    assert "France" not in line_row(page, "85123A") and "Named dealers" not in page
    assert response.context["priced"].total == Decimal("81.00")
    assert response.context["preview"].request.dealer.company_id == ""


def test_order_discounts_vouchers_nudges_and_gifts_are_shown(admin_client, gold):
    CompanyFactory(code="D1", tier=gold)
    VariantFactory(sku="A", list_price=Decimal("10.00"))
    VariantFactory(sku="B", list_price=Decimal("20.00"))
    VariantFactory(sku="GIFT", list_price=Decimal("5.00"))
    PromotionFactory(
        name="Spend 20 get 5",
        kind="full_reduction",
        reward={"steps": [{"threshold": "20", "amount": "5"}]},
    )
    PromotionFactory(
        name="Spend 500 get 50",
        kind="full_reduction",
        reward={"steps": [{"threshold": "500", "amount": "50"}]},
    )
    PromotionFactory(
        name="Free gift", kind="gift_with_purchase", reward={"sku": "GIFT", "threshold": "10"}
    )
    VoucherFactory(code="TENOFF", amount=Decimal("10.00"))
    response = post(admin_client, company_code="D1", lines="A 1\nB 1", voucher_codes="tenoff, NOPE")
    page = response.content.decode()
    priced = response.context["priced"]
    # Gold: A 9.00, B 18.00 = 27.00; 5.00 off the order, then the 10.00 voucher
    assert priced.subtotal == Decimal("27.00") and priced.total == Decimal("12.00")
    assert "Spend 20 get 5" in page and "−5.00" in page
    assert "TENOFF" in page and "applied, −10.00" in page
    assert "NOPE" in page and "voucher_not_found" in page
    assert "Spend 500 get 50: add 473.00 to get 50.00 off" in page
    assert "gift: Free gift" in page and "GIFT" in page
    assert sum(s.amount for line in priced.lines for s in line.order_shares) == Decimal("15.00")


def test_bad_lines_are_messages_not_errors(admin_client, gold):
    CompanyFactory(code="D1", tier=gold)
    VariantFactory(sku="85123A", list_price=Decimal("2.55"), min_quantity=6, order_multiple=6)
    VariantFactory(sku="OLD", is_active=False)
    text = "abc\n85123A -1\nBRK\x00 2\nNOPE 3\n85123a 12\nX 1.5\n\n# a comment\nOLD 1\nY 99999999999999999999"
    response = post(admin_client, company_code="D1", lines=text)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Line 1 (“abc”): write a SKU and a quantity" in page
    assert "NUL byte" in page and "Line 3" in page
    assert "NOPE is not in the catalog" in page and "Line 4:" in page
    assert (
        "the quantity must be a whole number of at least 1" in page
    )  # 85123A -1 (line 2), by the core
    assert "the quantity &quot;1.5&quot; is not a whole number" in page
    assert "OLD is not active" in page
    assert "is too large" in page
    # 85123A is refused as a whole (one of its lines is -1), as the storefront would
    assert response.context["priced"].lines == ()
    response = post(admin_client, company_code="D1", lines="85123a 12")
    assert response.context["priced"].total == Decimal("27.60")  # lower-case SKU found; 2.30 x 12
    response = post(admin_client, company_code="D1", lines="")
    assert response.status_code == 200 and "lines" in response.context["form"].errors


def test_the_form_says_what_is_missing(admin_client, gold):
    CompanyFactory(code="D1", tier=gold)
    assert "company" in post(admin_client, lines="A 1").context["form"].errors
    assert (
        "company_code"
        in post(admin_client, company_code="NOBODY", lines="A 1").context["form"].errors
    )
    assert (
        "tier"
        in post(admin_client, company_code="D1", tier=str(gold.pk), lines="A 1")
        .context["form"]
        .errors
    )
    assert (
        "currency"
        in post(admin_client, tier=str(gold.pk), currency="XYZ", lines="A 1").context["form"].errors
    )
    assert (
        post(admin_client, tier=str(gold.pk), voucher_codes="A\x00", lines="A 1").status_code == 200
    )


def test_staff_only(client, gold):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(UserFactory())  # a dealer, not staff
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(URL).status_code == 403
    staff.user_permissions.add(
        Permission.objects.get(codename="view_pricelist", content_type__app_label="pricing_engine")
    )
    client.force_login(staff)
    assert client.get(URL).status_code == 200
    assert post(client, tier=str(gold.pk), lines="A 1").status_code == 200


def test_queries_do_not_grow_with_the_lines(admin_client, gold):
    CompanyFactory(code="D1", tier=gold)
    skus = [VariantFactory(sku=f"Q-{i:03d}").sku for i in range(30)]
    VoucherFactory(code="TENOFF")
    PromotionFactory(
        name="Spend 20 get 5",
        kind="full_reduction",
        reward={"steps": [{"threshold": "20", "amount": "5"}]},
    )

    def count(n):
        with CaptureQueriesContext(connection) as queries:
            response = post(
                admin_client,
                company_code="D1",
                voucher_codes="TENOFF",
                lines="\n".join(f"{s} 2" for s in skus[:n]),
            )
        assert response.status_code == 200
        assert len(response.context["priced"].lines) == n
        return len(queries)

    assert count(5) == count(30)


def test_download_as_scenario_json_prices_the_same(admin_client, gold, germany):
    VariantFactory(sku="85123A", list_price=Decimal("100.00"))
    VariantFactory(sku="GIFT", list_price=Decimal("5.00"))
    PromotionFactory(name="Spring", relations__tiers=[gold])
    PromotionFactory(
        name="Ladder", kind="full_reduction", reward={"steps": [{"threshold": "50", "amount": "5"}]}
    )
    PromotionFactory(
        name="Gift", kind="gift_with_purchase", reward={"sku": "GIFT", "threshold": "10"}
    )
    VoucherFactory(code="P10", amount=None, percent=Decimal("10"), currency="")
    fields = {
        "tier": str(gold.pk),
        "region": str(germany.pk),
        "lines": "85123A 2\nNOPE 1",
        "voucher_codes": "P10",
    }
    shown = post(admin_client, **fields).context["priced"]
    response = post(admin_client, download="1", **fields)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    scenario = json.loads(response.content, parse_float=Decimal)
    jsonschema.validate(json.loads(response.content), json.loads(SCHEMA.read_text()))
    assert scenario["dealer"] == {"company_id": "", "tier": "GOLD", "region": "germany"}
    replayed = price_cart(request_from_dict(scenario))
    assert (
        replayed.total == shown.total == Decimal("141.30")
    )  # 2 x 81.00 = 162.00, -5.00 = 157.00, -10 %
    assert [line.waterfall for line in replayed.lines] == [line.waterfall for line in shown.lines]
    assert replayed.errors == shown.errors and replayed.gift_lines == shown.gift_lines
