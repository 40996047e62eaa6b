"""dealer.updated for edits made in the back office (partners admin): one event per save,
naming what changed, written in the save's transaction; nothing when nothing the ERP keeps
changed or when the save is refused."""

from decimal import Decimal

import pytest
from django.urls import reverse

from integrations.models import OutboxEvent
from partners.models import Company, CreditAccount
from partners.tests.test_admin import company_form
from tests.factories import CompanyFactory, RegionFactory, TierFactory
from tests.webhook_schemas import assert_matches_schema

pytestmark = pytest.mark.django_db


def _dealer_events():
    return list(OutboxEvent.objects.filter(event_type="dealer.updated").order_by("sequence"))


def _post(admin_client, company, data):
    response = admin_client.post(reverse("admin:partners_company_change", args=[company.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_one_back_office_save_sends_one_dealer_updated_with_everything_that_changed(admin_client):
    silver, gold = TierFactory(code="SILVER", name="Silver"), TierFactory(code="GOLD", name="Gold")
    uk, ie = RegionFactory(code="uk", name="United Kingdom"), RegionFactory(code="ie", name="Ireland")
    company = CompanyFactory(code="17850", name="Heart Gifts", tier=silver, region=uk)
    account = CreditAccount.objects.get(company=company)
    data = company_form(company, account, credit_limit="7500.00")
    data.update(name="Heart Gifts Ltd", tier=gold.pk, region=ie.pk)
    del data["is_active"]  # unticked: the dealer is deactivated
    data.update({
        "addresses-TOTAL_FORMS": "1",
        "addresses-0-name": "Dublin depot", "addresses-0-line1": "4 Quay Street", "addresses-0-line2": "",
        "addresses-0-city": "Dublin", "addresses-0-postal_code": "D02 X285", "addresses-0-country": "Ireland",
        "addresses-0-is_default_shipping": "on",
    })
    _post(admin_client, company, data)

    (event,) = _dealer_events()
    assert_matches_schema("dealer.updated", event)
    assert event.aggregate_id == "17850" and event.sequence == 1 == Company.objects.get(pk=company.pk).version
    assert event.data["changed"] == ["name", "tier", "region", "status", "credit", "addresses"]
    dealer = event.data["dealer"]
    assert (dealer["name"], dealer["tier"], dealer["region"], dealer["is_active"]) == ("Heart Gifts Ltd", "GOLD", "Ireland", False)
    assert dealer["credit"]["limit"] == "7500.00"
    assert dealer["addresses"] == [{
        "name": "Dublin depot", "line1": "4 Quay Street", "line2": "", "city": "Dublin", "postal_code": "D02 X285",
        "country": "Ireland", "is_default_shipping": True,
    }]
    # what the ERP was told is what was saved
    company.refresh_from_db()
    assert (company.name, company.tier_id, company.region_id, company.is_active) == ("Heart Gifts Ltd", gold.pk, ie.pk, False)
    assert CreditAccount.objects.get(pk=account.pk).credit_limit == Decimal("7500.00")


def test_each_kind_of_edit_names_only_itself_and_sequences_follow(admin_client):
    company = CompanyFactory(code="D1", name="One")
    account = CreditAccount.objects.get(company=company)
    _post(admin_client, company, company_form(company, account, on_hold="on"))
    company.refresh_from_db()
    account.refresh_from_db()
    data = company_form(company, account, on_hold="on")  # still on hold: the credit terms are as saved
    data["name"] = "One and Only"
    _post(admin_client, company, data)
    first, second = _dealer_events()
    assert (first.sequence, first.data["changed"], first.data["dealer"]["credit"]["on_hold"]) == (1, ["credit"], True)
    assert (second.sequence, second.data["changed"], second.data["dealer"]["name"]) == (2, ["name"], "One and Only")


def test_a_save_that_changes_nothing_sends_nothing(admin_client):
    company = CompanyFactory(code="D2")
    _post(admin_client, company, company_form(company, CreditAccount.objects.get(company=company)))
    assert _dealer_events() == []
    assert Company.objects.get(pk=company.pk).version == 0


def test_a_refused_save_writes_no_event(admin_client):
    company = CompanyFactory(code="D3", name="Three")
    account = CreditAccount.objects.get(company=company)
    CreditAccount.objects.filter(pk=account.pk).update(outstanding=Decimal("900.00"))
    data = company_form(company, account, credit_limit="100.00")
    data["name"] = "Renamed"
    response = admin_client.post(reverse("admin:partners_company_change", args=[company.pk]), data)
    assert response.status_code == 200  # the form is shown again with the error
    assert "the limit cannot be lower" in response.content.decode()
    assert _dealer_events() == []
    assert Company.objects.get(pk=company.pk).name == "Three"


def test_a_new_dealer_saved_in_the_back_office_sends_no_update(admin_client):
    response = admin_client.post(reverse("admin:partners_company_add"), {
        "code": "NEW1", "name": "New dealer", "kind": "dealer", "parent": "", "tier": "", "region": "", "currency": "GBP",
        "is_active": "on",
        "credit_account-TOTAL_FORMS": "0", "credit_account-INITIAL_FORMS": "0",
        "credit_account-MIN_NUM_FORMS": "0", "credit_account-MAX_NUM_FORMS": "1",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "addresses-TOTAL_FORMS": "0", "addresses-INITIAL_FORMS": "0",
        "addresses-MIN_NUM_FORMS": "0", "addresses-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Company.objects.filter(code="NEW1").exists()
    assert _dealer_events() == []
