"""Back office for price lists: pages render, SKU pickers are never a giant select box, and
what the rules refuse is said in plain words."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pricing_engine.models import PriceList
from tests.factories import (
    CompanyFactory,
    PriceBreakFactory,
    PriceListFactory,
    PriceListItemFactory,
    TierFactory,
    UserFactory,
    VariantFactory,
)
from tests.query_counts import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def list_form(**fields):
    data = {
        "name": "Gold 2027",
        "kind": "tier",
        "tier": "",
        "company": "",
        "currency": "GBP",
        "default_discount_percent": "",
        "valid_from_0": "",
        "valid_from_1": "",
        "valid_until_0": "",
        "valid_until_1": "",
        "priority": "100",
        "is_active": "on",
    }
    for prefix in ("items", "breaks"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    data.update(fields)
    return data


def test_every_pricing_page_renders_for_staff(admin_client):
    gold = TierFactory(code="GOLD", name="Gold")
    tier_list = PriceListFactory(tier=gold)
    contract = PriceListFactory(company=CompanyFactory())
    item = PriceListItemFactory(price_list=contract)
    price_break = PriceBreakFactory(price_list=tier_list)
    pages = [
        reverse("admin:pricing_engine_pricelist_changelist"),
        reverse("admin:pricing_engine_pricelist_changelist") + f"?kind__exact=tier&tier__id__exact={gold.pk}&is_active__exact=1",
        reverse("admin:pricing_engine_pricelist_add"),
        reverse("admin:pricing_engine_pricelist_change", args=[tier_list.pk]),
        reverse("admin:pricing_engine_pricelist_change", args=[contract.pk]),
        reverse("admin:pricing_engine_pricelistitem_changelist"),
        reverse("admin:pricing_engine_pricelistitem_changelist") + f"?price_list__id__exact={contract.pk}",
        reverse("admin:pricing_engine_pricelistitem_change", args=[item.pk]),
        reverse("admin:pricing_engine_pricebreak_changelist"),
        reverse("admin:pricing_engine_pricebreak_change", args=[price_break.pk]),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url


def test_dealer_users_are_sent_to_the_admin_login(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:pricing_engine_pricelist_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_sku_pickers_do_not_list_every_sku(admin_client):
    VariantFactory.create_batch(30)
    price_list = PriceListFactory(tier=TierFactory())
    PriceListItemFactory(price_list=price_list, variant=VariantFactory(sku="PICKED-1"))
    page = admin_client.get(reverse("admin:pricing_engine_pricelist_change", args=[price_list.pk])).content.decode()
    assert page.count("<option") < 30  # variants are a raw id with a lookup, not a <select>
    assert "vForeignKeyRawIdAdminField" in page
    assert "PICKED-1" in page


def test_contract_and_tier_targets_are_explained(admin_client):
    company = CompanyFactory()
    url = reverse("admin:pricing_engine_pricelist_add")
    response = admin_client.post(url, list_form(kind="contract"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the dealer this contract is with." in page
    assert "is violated" not in page
    response = admin_client.post(url, list_form(kind="tier", company=company.pk))
    page = response.content.decode()
    assert "Choose the tier this price list is for." in page
    assert "A tier price list is not for one dealer" in page
    assert not PriceList.objects.exists()
    response = admin_client.post(url, list_form(kind="contract", company=company.pk, default_discount_percent="5"))
    assert response.status_code == 302
    assert PriceList.objects.get().company == company


def test_model_clean_errors_are_shown(admin_client):
    tier = TierFactory()
    response = admin_client.post(
        reverse("admin:pricing_engine_pricelist_add"),
        list_form(
            tier=tier.pk,
            valid_from_0="2027-02-01",
            valid_from_1="00:00:00",
            valid_until_0="2027-01-01",
            valid_until_1="00:00:00",
        ),
    )
    assert response.status_code == 200
    assert "must be after valid from" in response.content.decode()
    assert not PriceList.objects.exists()


def test_explicit_prices_and_breaks_are_added_inline(admin_client):
    tier = TierFactory()
    price_list = PriceListFactory(tier=tier, name="Gold")
    variant = VariantFactory()
    data = list_form(name="Gold", tier=tier.pk)
    data.update(
        {
            "items-TOTAL_FORMS": "1",
            "items-0-variant": variant.pk,
            "items-0-unit_price": "7.50",
            "breaks-TOTAL_FORMS": "1",
            "breaks-0-variant": variant.pk,
            "breaks-0-min_quantity": "12",
            "breaks-0-unit_price": "7.00",
        }
    )
    response = admin_client.post(reverse("admin:pricing_engine_pricelist_change", args=[price_list.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [(i.variant, str(i.unit_price)) for i in price_list.items.all()] == [(variant, "7.50")]
    assert [(b.min_quantity, str(b.unit_price)) for b in price_list.breaks.all()] == [(12, "7.00")]


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:pricing_engine_pricelist_changelist",
        "admin:pricing_engine_pricelistitem_changelist",
        "admin:pricing_engine_pricebreak_changelist",
    ],
)
def test_changelist_queries_do_not_grow_with_rows(admin_client, url_name):
    tier = TierFactory()

    def add(count):
        for _ in range(count):
            price_list = PriceListFactory(company=CompanyFactory())
            PriceListItemFactory(price_list=price_list)
            PriceBreakFactory(price_list=PriceListFactory(tier=tier))

    assert_queries_do_not_grow(admin_client, reverse(url_name), add, first=5, then=25)


def test_price_list_page_queries_do_not_grow_with_rows(admin_client):
    price_list = PriceListFactory(tier=TierFactory())
    url = reverse("admin:pricing_engine_pricelist_change", args=[price_list.pk])

    def add(count):
        for _ in range(count):
            variant = VariantFactory()
            PriceListItemFactory(price_list=price_list, variant=variant)
            PriceBreakFactory(price_list=price_list, variant=variant)

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert reverse("admin:catalog_variant_change", args=[price_list.items.first().variant_id]) in response.content.decode()
