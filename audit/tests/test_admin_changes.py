"""A change made in the back office gives one audit entry per row it changed, with the
before and after of each field worked out by hand, the staff member's e-mail and address."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.changes import fresh_snapshot
from audit.models import AuditEntry
from audit.tests.admin_forms import page_data
from integrations.inbound.models import AppToken
from integrations.models import WebhookEndpoint
from pricing_engine.models import PriceBreak, PriceList, Promotion, Voucher
from rebates.models import RebateProgram, Settlement
from rebates.services import close_rebate_periods
from rebates.tests.factories import RebateProgramFactory
from tests.factories import (
    CompanyFactory,
    CreditAccountFactory,
    OrderFactory,
    PriceBreakFactory,
    PriceListFactory,
    PromotionFactory,
    TierFactory,
    UserFactory,
    VariantFactory,
    VoucherFactory,
)

pytestmark = pytest.mark.django_db
IN_Q3_2026 = datetime(2026, 8, 10, 12, 0, tzinfo=UTC)  # inside the rebate factory's program year
IP = "203.0.113.7"


@pytest.fixture
def staff(admin_user):
    admin_user.email = "finance@vendor.test"
    admin_user.save()
    return admin_user


def save_page(client, url, **changes):
    """Open the change page, change some fields, press Save; returns the redirect."""
    data = page_data(client.get(url))
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    response = client.post(url, data, REMOTE_ADDR=IP, HTTP_USER_AGENT="Firefox/140")
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return response


def entries(object_type=None):
    rows = AuditEntry.objects.order_by("id")
    return list(rows.filter(object_type=object_type) if object_type else rows)


def test_a_price_list_edit_records_the_list_its_new_price_and_its_changed_break(client, staff):
    gold = TierFactory(code="GOLD", name="Gold")
    price_list = PriceListFactory(name="Gold 2027", tier=gold, default_discount_percent=D("5.00"))
    lamp = VariantFactory(sku="LAMP", list_price=D("12.00"))
    PriceBreakFactory(price_list=price_list, variant=lamp, min_quantity=10, unit_price=D("10.00"))
    client.force_login(staff)
    url = reverse("admin:pricing_engine_pricelist_change", args=[price_list.pk])
    save_page(client, url, default_discount_percent="7.50", **{
        "breaks-0-unit_price": "9.50",
        "items-TOTAL_FORMS": "1", "items-0-variant": str(lamp.pk), "items-0-unit_price": "11.00",
    })
    listed = entries("pricing_engine.pricelist")
    assert [(e.action, e.changes) for e in listed] == [("change", {"default_discount_percent": ["5.00", "7.50"]})]
    assert (listed[0].actor, listed[0].actor_label, listed[0].ip_address, listed[0].user_agent) == (
        staff, "finance@vendor.test", IP, "Firefox/140")
    assert listed[0].object_id == str(price_list.pk) and listed[0].object_text == "Gold 2027"
    [item] = entries("pricing_engine.pricelistitem")
    assert item.action == "create"
    assert item.changes == {"unit_price": [None, "11.00"], "variant": [None, f"{lamp} (#{lamp.pk})"]}
    assert item.note == f"in price list Gold 2027 (#{price_list.pk})"
    [changed_break] = entries("pricing_engine.pricebreak")
    assert (changed_break.action, changed_break.changes) == ("change", {"unit_price": ["10.00", "9.50"]})
    assert len(entries()) == 3


def test_deleting_a_break_from_its_own_list_records_what_it_was(client, staff):
    price_break = PriceBreakFactory(price_list=PriceListFactory(tier=TierFactory()), min_quantity=24, unit_price=D("7.25"))
    client.force_login(staff)
    client.post(reverse("admin:pricing_engine_pricebreak_delete", args=[price_break.pk]), {"post": "yes"})
    assert not PriceBreak.objects.exists()
    [entry] = entries()
    assert entry.action == "delete" and entry.object_id == str(price_break.pk)
    assert entry.changes["min_quantity"] == [24, None] and entry.changes["unit_price"] == ["7.25", None]


def test_a_promotion_edit_records_its_fields_and_its_audience(client, staff):
    promotion = PromotionFactory(name="Spring 10%", reward={"percent": "10"})
    TierFactory(code="GOLD", name="Gold")
    gold = TierFactory(code="PLAT", name="Platinum")
    client.force_login(staff)
    save_page(client, reverse("admin:pricing_engine_promotion_change", args=[promotion.pk]),
              reward='{"percent": "15"}', tiers=[str(gold.pk)])
    [entry] = entries()
    assert entry.object_type == "pricing_engine.promotion" and entry.object_text == "Spring 10%"
    assert entry.changes == {"reward": [{"percent": "10"}, {"percent": "15"}], "tiers": [[], ["Platinum"]]}


def test_a_voucher_edit_records_the_discount(client, staff):
    voucher = VoucherFactory(code="WELCOME", amount=D("10.00"))
    client.force_login(staff)
    save_page(client, reverse("admin:pricing_engine_voucher_change", args=[voucher.pk]), amount="25.00", usage_limit_total="100")
    [entry] = entries()
    assert (entry.object_type, entry.object_text) == ("pricing_engine.voucher", "WELCOME")
    assert entry.changes == {"amount": ["10.00", "25.00"], "usage_limit_total": [None, 100]}


def test_a_credit_limit_raise_and_hold_on_the_company_page_is_one_entry(client, staff):
    company = CompanyFactory(code="C100", name="Alpha Tools", credit_account=None)
    account = CreditAccountFactory(company=company, credit_limit=D("1000.00"))
    client.force_login(staff)
    save_page(client, reverse("admin:partners_company_change", args=[company.pk]),
              **{"credit_account-0-credit_limit": "2500.00", "credit_account-0-on_hold": "on"})
    # update_credit_terms (the service the page calls) does not record a second entry
    [entry] = entries()
    assert (entry.object_type, entry.object_id, entry.action) == ("partners.creditaccount", str(account.pk), "change")
    assert entry.changes == {"credit_limit": ["1000.00", "2500.00"], "on_hold": [False, True]}
    assert entry.note == f"in company Alpha Tools (C100) (#{company.pk})"


def test_a_rebate_program_edit_records_the_program_and_its_ladder(client, staff):
    program = RebateProgramFactory(name="Volume 2026", ladder=[(10000, 1)])
    gold = TierFactory(code="GOLD", name="Gold")
    client.force_login(staff)
    save_page(client, reverse("admin:rebates_rebateprogram_change", args=[program.pk]),
              tiers=[str(gold.pk)], **{"targets-0-rate": "1.5"})
    program_entry, target_entry = entries()
    assert (program_entry.object_type, program_entry.changes) == ("rebates.rebateprogram", {"tiers": [[], ["Gold"]]})
    assert (target_entry.object_type, target_entry.changes) == ("rebates.rebatetarget", {"rate": ["1.000", "1.500"]})
    assert RebateProgram.objects.get().targets.get().rate == D("1.5")


def test_a_list_price_edit_records_before_and_after(client, staff):
    lamp = VariantFactory(sku="LAMP", list_price=D("12.00"))
    client.force_login(staff)
    save_page(client, reverse("admin:catalog_variant_change", args=[lamp.pk]), list_price="12.60")
    [entry] = entries()
    assert (entry.object_type, entry.changes) == ("catalog.variant", {"list_price": ["12.00", "12.60"]})


SECRET = "s3cret-do-not-log-9f8e7d"
NEW_SECRET = "n3w-s3cret-do-not-log-1a2b3c"


def test_a_webhook_secret_rotation_says_changed_and_never_the_secret(client, staff):
    endpoint = WebhookEndpoint.objects.create(url="https://erp.example.com/hooks", secret=SECRET, event_types=["*"])
    client.force_login(staff)
    save_page(client, reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk]),
              new_secret=NEW_SECRET, rotation_window_hours="24", description="SAP production")
    [entry] = entries()
    assert entry.object_type == "integrations.webhookendpoint"
    assert entry.changes["secret"] == ["(secret)", "(changed)"]
    assert entry.changes["previous_secret"] == ["", "(changed)"]
    assert entry.changes["description"] == ["", "SAP production"]
    assert set(entry.changes) == {"secret", "previous_secret", "previous_secret_expires_at", "description"}
    every_entry = str(list(AuditEntry.objects.values()))
    assert SECRET not in every_entry and NEW_SECRET not in every_entry


def test_an_app_token_made_and_revoked_in_the_admin_never_logs_the_token_or_its_hash(client, staff):
    client.force_login(staff)
    response = client.post(reverse("admin:integrations_apptoken_add"), {"name": "SAP", "scopes": ["catalog:write"]},
                           REMOTE_ADDR=IP, follow=True)
    token = AppToken.objects.get()
    raw = next(str(m).split("is: ")[1].split(" ")[0] for m in response.context["messages"] if "is: " in str(m))
    client.post(reverse("admin:integrations_apptoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]})
    made, revoked = entries()
    assert (made.action, made.object_type, made.ip_address) == ("create", "integrations.apptoken", IP)
    assert made.changes["token_hash"] == ["", "(changed)"] and made.changes["scopes"] == [None, ["catalog:write"]]
    assert revoked.action == "revoke" and list(revoked.changes) == ["revoked_at"]
    every_entry = str(list(AuditEntry.objects.values()))
    assert raw not in every_entry and token.token_hash not in every_entry


def test_staff_flags_groups_and_permissions_of_a_user_and_a_group(client, staff):
    finance = Group.objects.create(name="Finance")
    change_credit = Permission.objects.get(codename="change_creditaccount")
    user = UserFactory(email="ann@vendor.test")
    client.force_login(staff)
    save_page(client, reverse("admin:auth_user_change", args=[user.pk]), is_staff="on", groups=[str(finance.pk)])
    save_page(client, reverse("admin:auth_group_change", args=[finance.pk]), permissions=[str(change_credit.pk)])
    on_user, on_group = entries()
    assert (on_user.object_type, on_user.object_text) == ("auth.user", "ann@vendor.test")
    assert on_user.changes == {"groups": [[], ["Finance"]], "is_staff": [False, True]}
    assert (on_group.object_type, on_group.changes) == ("auth.group", {"permissions": [[], [str(change_credit)]]})


def test_approving_a_settlement_in_the_admin_records_who_paid_it(client, staff):
    RebateProgramFactory()
    OrderFactory(company=CompanyFactory(), subtotal=D("12000.00"), total=D("12000.00"), placed_at=IN_Q3_2026)
    close_rebate_periods(date(2026, 10, 1))
    settlement = Settlement.objects.get()
    client.force_login(staff)
    client.post(reverse("admin:rebates_settlement_changelist"), {"action": "approve_and_pay", "_selected_action": [settlement.pk]},
                REMOTE_ADDR=IP)
    [entry] = entries()
    assert (entry.action, entry.object_type, entry.actor_label, entry.ip_address) == ("pay", "rebates.settlement", "finance@vendor.test", IP)
    assert entry.changes["status"] == ["computed", "paid"] and entry.changes["amount"] == [None, "120.00"]


def test_saving_a_page_unchanged_records_nothing(client, staff):
    price_list = PriceListFactory(name="Silver", tier=TierFactory(code="SILVER"))
    client.force_login(staff)
    save_page(client, reverse("admin:pricing_engine_pricelist_change", args=[price_list.pk]))
    assert entries() == [] and PriceList.objects.get().name == "Silver"


def test_a_password_set_by_staff_says_changed_and_never_the_hash(client, staff):
    user = UserFactory(email="ann@vendor.test")
    old_hash = user.password
    client.force_login(staff)
    response = client.post(reverse("admin:auth_user_password_change", args=[user.pk]),
                           {"password1": "Correct-Horse-42x", "password2": "Correct-Horse-42x"}, REMOTE_ADDR=IP)
    assert response.status_code == 302
    [entry] = entries()
    assert (entry.object_type, entry.changes, entry.ip_address) == ("auth.user", {"password": ["(secret)", "(changed)"]}, IP)
    user.refresh_from_db()
    dumped = str(list(AuditEntry.objects.values()))
    assert old_hash not in dumped and user.password not in dumped and "Correct-Horse-42x" not in dumped


def test_deleting_vouchers_with_the_bulk_action_records_each(client, staff):
    VoucherFactory(code="A10", amount=D("10.00"))
    VoucherFactory(code="B20", amount=D("20.00"))
    client.force_login(staff)
    ids = list(Voucher.objects.values_list("pk", flat=True))
    client.post(reverse("admin:pricing_engine_voucher_changelist"),
                {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert not Voucher.objects.exists()
    assert sorted((e.action, e.object_text, e.changes["amount"][0]) for e in entries()) == [
        ("delete", "A10", "10.00"), ("delete", "B20", "20.00")]


def test_a_promotion_on_many_skus_is_snapshotted_in_a_fixed_number_of_queries(staff):
    few = PromotionFactory(relations__skus=[VariantFactory(name="") for _ in range(2)])
    many = PromotionFactory(relations__skus=[VariantFactory(name="") for _ in range(30)])
    with CaptureQueriesContext(connection) as small:
        fresh_snapshot(Promotion, few.pk)
    with CaptureQueriesContext(connection) as large:
        assert len(fresh_snapshot(Promotion, many.pk)["skus"]) == 30
    assert len(large) == len(small)


def test_a_list_price_changed_in_a_products_sku_table_is_recorded_for_that_sku_only(client, staff):
    lamp = VariantFactory(sku="LAMP", list_price=D("12.00"))
    VariantFactory(sku="LAMP-XL", product=lamp.product, list_price=D("15.00"))
    client.force_login(staff)
    url = reverse("admin:catalog_product_change", args=[lamp.product.pk])
    data = page_data(client.get(url))
    row = next(k[: -len("-sku")] for k, v in data.items() if k.endswith("-sku") and v == "LAMP")
    data[f"{row}-list_price"] = "12.40"
    data["description"] = "A new description (not a price: not in the log)"
    assert client.post(url, data).status_code == 302
    [entry] = entries()
    assert (entry.object_type, entry.object_id, entry.changes) == ("catalog.variant", str(lamp.pk), {"list_price": ["12.00", "12.40"]})
