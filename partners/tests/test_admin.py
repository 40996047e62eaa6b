"""Back office for companies and credit: pages render, outstanding is never written by staff."""

from decimal import Decimal

import pytest
from django.urls import reverse

from mall.errors import DomainError
from partners.models import Address, CreditAccount
from partners.services import update_credit_terms
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    RegionFactory,
    TierFactory,
    UserFactory,
)
from tests.query_counts import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def company_form(company, account, **credit):
    data = {
        "code": company.code,
        "name": company.name,
        "kind": company.kind,
        "parent": "",
        "tier": company.tier_id or "",
        "region": company.region_id or "",
        "currency": company.currency,
        "is_active": "on",
        "credit_account-TOTAL_FORMS": "1",
        "credit_account-INITIAL_FORMS": "1",
        "credit_account-MIN_NUM_FORMS": "0",
        "credit_account-MAX_NUM_FORMS": "1",
        "credit_account-0-id": account.pk,
        "credit_account-0-company": company.pk,
        "credit_account-0-currency": account.currency,
        "credit_account-0-credit_limit": str(account.credit_limit),
        "credit_account-0-payment_terms_days": str(account.payment_terms_days),
        "credit_account-0-payment_terms": account.payment_terms,  # billing's terms
        "credit_account-0-overdue_grace_days": str(account.overdue_grace_days),
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
        "addresses-MIN_NUM_FORMS": "0",
        "addresses-MAX_NUM_FORMS": "1000",
    }
    data.update({f"credit_account-0-{k}": v for k, v in credit.items()})
    return data


def test_every_partner_page_renders_for_staff(admin_client):
    tier, region = TierFactory(code="GOLD", name="Gold"), RegionFactory(code="uk", name="United Kingdom")
    company = CompanyFactory(tier=tier, region=region)
    membership = MembershipFactory(company=company)
    Address.objects.create(company=company, name="HQ", line1="1 High St", city="Leeds", country="UK")
    CompanyFactory(credit_account=None)  # a company without an account lists too
    pages = [
        reverse("admin:partners_company_changelist"),
        reverse("admin:partners_company_changelist") + f"?q={company.code}&tier__id__exact={tier.pk}&is_active__exact=1",
        reverse("admin:partners_company_add"),
        reverse("admin:partners_company_change", args=[company.pk]),
        reverse("admin:partners_tier_changelist"),
        reverse("admin:partners_tier_change", args=[tier.pk]),
        reverse("admin:partners_region_changelist"),
        reverse("admin:partners_region_change", args=[region.pk]),
        reverse("admin:partners_membership_changelist"),
        reverse("admin:partners_membership_change", args=[membership.pk]),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url


def test_company_list_shows_credit(admin_client):
    CompanyFactory(code="D777", credit_account__credit_limit=Decimal("1000.00"), credit_account__outstanding=Decimal("300.00"))
    page = admin_client.get(reverse("admin:partners_company_changelist") + "?q=D777").content.decode()
    assert "1000.00" in page and "300.00" in page and "700.00" in page


def test_dealer_users_are_sent_to_the_admin_login(client):
    company = CompanyFactory()
    client.force_login(UserFactory(company=company))
    response = client.get(reverse("admin:partners_company_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_editing_credit_terms_never_writes_outstanding(admin_client):
    company = CompanyFactory(credit_account__credit_limit=Decimal("1000.00"))
    account = company.credit_account
    page_data = company_form(company, account, credit_limit="1500.00", on_hold="on")
    # An order is placed on account while the page is open.
    CreditAccount.objects.filter(pk=account.pk).update(outstanding=Decimal("420.00"))
    response = admin_client.post(reverse("admin:partners_company_change", args=[company.pk]), page_data)
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.credit_limit, account.outstanding, account.on_hold) == (Decimal("1500.00"), Decimal("420.00"), True)


def test_a_limit_below_what_is_owed_is_refused(admin_client):
    company = CompanyFactory(credit_account__credit_limit=Decimal("1000.00"), credit_account__outstanding=Decimal("300.00"))
    account = company.credit_account
    response = admin_client.post(
        reverse("admin:partners_company_change", args=[company.pk]), company_form(company, account, credit_limit="200.00")
    )
    assert response.status_code == 200
    assert "owes 300.00 on open orders" in response.content.decode()
    account.refresh_from_db()
    assert account.credit_limit == Decimal("1000.00")


def test_a_new_default_ship_to_replaces_the_old_one(admin_client):
    company = CompanyFactory()
    old = Address.objects.create(company=company, name="Old", line1="1", city="A", country="UK", is_default_shipping=True)
    new = Address.objects.create(company=company, name="New", line1="2", city="B", country="UK")
    data = company_form(company, company.credit_account)
    data.update({"addresses-TOTAL_FORMS": "2", "addresses-INITIAL_FORMS": "2"})
    # "New" comes first on the page: it must not collide with "Old" still being the default.
    for i, (addr, default) in enumerate([(new, True), (old, False)]):
        data.update(
            {
                f"addresses-{i}-id": addr.pk,
                f"addresses-{i}-company": company.pk,
                f"addresses-{i}-name": addr.name,
                f"addresses-{i}-line1": addr.line1,
                f"addresses-{i}-line2": "",
                f"addresses-{i}-city": addr.city,
                f"addresses-{i}-postal_code": "",
                f"addresses-{i}-country": addr.country,
            }
        )
        if default:
            data[f"addresses-{i}-is_default_shipping"] = "on"
    response = admin_client.post(reverse("admin:partners_company_change", args=[company.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(Address.objects.filter(company=company, is_default_shipping=True)) == [new]

    data["addresses-1-is_default_shipping"] = "on"  # two defaults at once: a form error, no 500
    response = admin_client.post(reverse("admin:partners_company_change", args=[company.pk]), data)
    assert response.status_code == 200
    assert "Only one address can be the default ship-to." in response.content.decode()


@pytest.mark.parametrize("url_name", ["admin:partners_company_changelist", "admin:partners_membership_changelist"])
def test_changelist_queries_do_not_grow_with_rows(admin_client, url_name):
    tier, region = TierFactory(), RegionFactory()

    def add(count):
        for _ in range(count):
            MembershipFactory(company=CompanyFactory(tier=tier, region=region), user__password=None)

    assert_queries_do_not_grow(admin_client, reverse(url_name), add, first=5, then=25)


@pytest.mark.django_db
def test_credit_terms_service_refuses_a_limit_below_what_is_owed_at_that_moment():
    account = CompanyFactory(credit_account__credit_limit=Decimal("1000")).credit_account
    CreditAccount.objects.filter(pk=account.pk).update(outstanding=Decimal("300"))
    with pytest.raises(DomainError) as refused:
        update_credit_terms(account.pk, credit_limit=Decimal("250"), currency="GBP", payment_terms_days=30, on_hold=False)
    assert refused.value.details[0].code == "BELOW_OUTSTANDING"
    update_credit_terms(account.pk, credit_limit=Decimal("300"), currency="GBP", payment_terms_days=60, on_hold=True)
    account.refresh_from_db()
    assert (account.credit_limit, account.outstanding, account.payment_terms_days, account.on_hold) == (
        Decimal("300"), Decimal("300"), 60, True,
    )
