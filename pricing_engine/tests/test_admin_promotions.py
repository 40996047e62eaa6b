"""Back office for promotions and vouchers: pages render, a bad reward is a form error (not a
500), SKU pickers are autocomplete boxes, and overlapping exclusive promotions are flagged."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from pricing_engine.models import Promotion, Voucher
from pricing_engine.tests.conftest import PromotionFactory, VoucherFactory
from tests.factories import TierFactory, VariantFactory

pytestmark = pytest.mark.django_db


def promotion_form(**fields):
    data = {
        "name": "Spring",
        "description": "",
        "is_active": "on",
        "kind": "percent_off",
        "reward": '{"percent": "10"}',
        "currency": "GBP",
        "tags": "[]",
        "starts_at_0": "2027-03-01",
        "starts_at_1": "00:00:00",
        "ends_at_0": "2027-04-01",
        "ends_at_1": "00:00:00",
        "priority": "100",
        "stacking_group": "",
        "budget_amount": "",
        "budget_uses": "",
    }
    data.update(fields)
    return data


def test_pages_render_for_a_superuser(admin_client):
    promotion = PromotionFactory(budget_amount="100.00")
    voucher = VoucherFactory()
    for url in [
        reverse("admin:pricing_engine_promotion_changelist"),
        reverse("admin:pricing_engine_promotion_add"),
        reverse("admin:pricing_engine_promotion_change", args=[promotion.pk]),
        reverse("admin:pricing_engine_voucher_changelist"),
        reverse("admin:pricing_engine_voucher_add"),
        reverse("admin:pricing_engine_voucher_change", args=[voucher.pk]),
        reverse("admin:pricing_engine_voucherredemption_changelist"),
        reverse("admin:pricing_engine_promotion_changelist") + "?kind__exact=percent_off&is_active__exact=1&q=Promo",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_the_changelist_shows_the_budget_used(admin_client):
    PromotionFactory(name="Capped", budget_amount="100.00", spent_amount="25.00", budget_uses=10, used_count=3)
    page = admin_client.get(reverse("admin:pricing_engine_promotion_changelist")).content.decode()
    assert "25.00 / 100.00 GBP; 3 / 10 uses" in page


def test_sku_pickers_are_autocomplete_boxes_not_a_select_of_every_sku(admin_client):
    for i in range(30):
        VariantFactory(sku=f"MANY-{i:03d}")
    for name in ("promotion", "voucher"):
        page = admin_client.get(reverse(f"admin:pricing_engine_{name}_add")).content.decode()
        assert "MANY-0" not in page
        assert 'data-theme="admin-autocomplete"' in page


def test_a_reward_that_does_not_build_is_a_form_error(admin_client):
    response = admin_client.post(reverse("admin:pricing_engine_promotion_add"), promotion_form(reward='{"percent": "150"}'))
    assert response.status_code == 200
    assert "at most 100" in str(response.context["adminform"].form.errors["reward"])
    response = admin_client.post(reverse("admin:pricing_engine_promotion_add"), promotion_form(reward="{not json"))
    assert response.status_code == 200
    assert "reward" in response.context["adminform"].form.errors
    assert not Promotion.objects.exists()


def test_a_valid_promotion_is_saved(admin_client):
    response = admin_client.post(
        reverse("admin:pricing_engine_promotion_add"),
        promotion_form(kind="full_reduction", reward='{"steps": [{"threshold": "300", "amount": "30"}]}'),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Promotion.objects.get().reward == {"steps": [{"threshold": "300", "amount": "30"}]}


def test_overlapping_exclusive_promotions_give_a_warning(admin_client):
    gold = TierFactory(code="GOLD")
    PromotionFactory(name="Gold week", exclusive=True, relations__tiers=[gold])
    PromotionFactory(name="Other tier", exclusive=True, relations__tiers=[TierFactory(code="SILVER")])
    response = admin_client.post(
        reverse("admin:pricing_engine_promotion_add"), promotion_form(name="Everyone", exclusive="on"), follow=True
    )
    warnings = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 2  # everyone overlaps both tiers
    assert any("Gold week" in w for w in warnings)
    response = admin_client.post(
        reverse("admin:pricing_engine_promotion_add"),
        promotion_form(
            name="Gold later",
            exclusive="on",
            starts_at_0="2027-04-01",
            starts_at_1="01:00:00",  # British Summer Time: 00:00 UTC, when Gold week ends
            ends_at_0="2027-05-01",
            tiers=[gold.pk],
        ),
        follow=True,
    )
    warnings = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings == []  # the end is exclusive: no overlap


def test_a_voucher_form_normalises_the_code_and_refuses_both_kinds_of_discount(admin_client):
    data = {"code": " summer5 ", "name": "", "is_active": "on", "percent": "5", "amount": "", "currency": "", "min_spend": "",
            "starts_at_0": "", "starts_at_1": "", "ends_at_0": "", "ends_at_1": "", "usage_limit_total": "", "usage_limit_per_dealer": ""}
    assert admin_client.post(reverse("admin:pricing_engine_voucher_add"), data).status_code == 302
    assert Voucher.objects.get().code == "SUMMER5"
    response = admin_client.post(reverse("admin:pricing_engine_voucher_add"), {**data, "code": "Summer5"})
    assert "code" in response.context["adminform"].form.errors
    response = admin_client.post(reverse("admin:pricing_engine_voucher_add"), {**data, "code": "X", "amount": "3", "currency": "GBP"})
    assert "exactly one" in str(response.context["adminform"].form.errors)
