"""The five staff roles: each may do its own work in the back office and no other; money
moves (credit limits, settlements, payments, refunds, write-offs, price lists, promotions)
need the role that owns them; a staff user in no group sees nothing."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from audit.tests.admin_forms import page_data
from expenses.models import ActivityPlan
from expenses.services.plans import approve_plan, submit_plan
from expenses.tests.factories import PlanFactory
from mall.errors import DomainError
from partners.models import CreditAccount, Membership
from pricing_engine.models import Promotion
from rebates.models import Settlement
from rebates.services import close_rebate_periods
from rebates.tests.factories import RebateProgramFactory
from security import staff_roles
from storefront.models import Order
from tests.factories import (
    CompanyFactory,
    CreditAccountFactory,
    OrderFactory,
    PriceListFactory,
    PromotionFactory,
    TierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
IN_Q3_2026 = datetime(2026, 8, 10, 12, 0, tzinfo=UTC)  # inside the rebate factory's program year


@pytest.fixture
def roles(db):
    staff_roles.setup_staff_roles()


def member_of(group: str, email: str | None = None):
    user = UserFactory(email=email or f"{group.lower().replace(' ', '.')}@vendor.test", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def dealer():
    company = CompanyFactory(code="C100", name="Alpha Tools", tier=TierFactory(code="GOLD", name="Gold"), credit_account=None)
    CreditAccountFactory(company=company, credit_limit=D("1000.00"))
    return company


def post_page(client, url, **changes):
    data = page_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def company_url(company):
    return reverse("admin:partners_company_change", args=[company.pk])


def limit_of(company):
    return CreditAccount.objects.get(company=company).credit_limit


def test_setup_is_idempotent_and_takes_away_what_is_no_longer_listed(roles):
    finance = Group.objects.get(name="Finance")
    stray = Permission.objects.get(codename="change_promotion")
    finance.permissions.add(stray)
    out = io.StringIO()
    call_command("setup_staff_roles", stdout=out)
    assert "Finance: 0 permissions added, 1 removed" in out.getvalue()
    assert not finance.permissions.filter(pk=stray.pk).exists()
    out = io.StringIO()
    call_command("setup_staff_roles", stdout=out)
    assert all(line.endswith("0 permissions added, 0 removed") for line in out.getvalue().splitlines())
    assert Group.objects.filter(name__in=staff_roles.ROLES).count() == 5


def test_the_channel_managers_group_is_the_one_messages_go_to(roles, settings):
    assert settings.MESSAGE_VENDOR_GROUP == "Channel managers"
    assert Group.objects.get(name="Channel managers").permissions.filter(codename="approve_activityplan").exists()


def test_a_typo_in_a_role_is_an_error_not_a_silent_gap():
    with pytest.raises(LookupError, match="pricing_engine.change_pricelists"):
        staff_roles.permissions_of({"pricing_engine.pricelists": ("change",)})


def test_roles_hold_the_money_rights_of_their_work_only(roles):
    def has(group, codename):
        return Group.objects.get(name=group).permissions.filter(codename=codename).exists()

    money = ["change_pricelist", "change_promotion", "change_voucher", "change_creditaccount", "change_settlement",
             "refund_payment", "audit_activityplan", "approve_activityplan", "add_creditnote", "change_order"]
    table = {group: [c for c in money if has(group, c)] for group in staff_roles.ROLES}
    assert table == {
        "Merchandisers": ["change_pricelist", "change_promotion", "change_voucher"],
        "Channel managers": ["approve_activityplan"],
        "Finance": ["change_creditaccount", "change_settlement", "refund_payment", "audit_activityplan", "add_creditnote",
                    "change_order"],
        "Support": [],
        "Administrators": money,
    }


def test_a_merchandiser_changes_price_lists_and_promotions_but_not_credit_or_settlements(client, roles, dealer):
    client.force_login(member_of("Merchandisers"))
    price_list = PriceListFactory(tier=dealer.tier, default_discount_percent=D("5.00"))
    promotion = PromotionFactory(name="Spring")
    assert post_page(client, reverse("admin:pricing_engine_pricelist_change", args=[price_list.pk]),
                     default_discount_percent="8.00").status_code == 302
    assert post_page(client, reverse("admin:pricing_engine_promotion_change", args=[promotion.pk]), name="Spring 2027").status_code == 302
    assert Promotion.objects.get().name == "Spring 2027"
    assert client.get(company_url(dealer)).status_code == 200  # may look the dealer up
    assert client.post(company_url(dealer), {"credit_account-0-credit_limit": "9999.00"}).status_code == 403
    assert limit_of(dealer) == D("1000.00")
    assert client.get(reverse("admin:rebates_settlement_changelist")).status_code == 403


def test_finance_changes_credit_limits_and_settles_but_not_promotions_or_the_dealer(client, roles, dealer):
    client.force_login(member_of("Finance"))
    silver = TierFactory(code="SILVER", name="Silver")
    response = post_page(client, company_url(dealer), **{"credit_account-0-credit_limit": "2500.00", "tier": str(silver.pk)})
    assert response.status_code == 302
    dealer.refresh_from_db()
    assert limit_of(dealer) == D("2500.00") and dealer.tier.code == "GOLD"  # the tier is not finance's to change

    RebateProgramFactory()
    OrderFactory(company=dealer, subtotal=D("12000.00"), total=D("12000.00"), placed_at=IN_Q3_2026)
    close_rebate_periods(date(2026, 10, 1))
    settlement = Settlement.objects.get()
    client.post(reverse("admin:rebates_settlement_changelist"), {"action": "approve_and_pay", "_selected_action": [settlement.pk]})
    assert Settlement.objects.get().status == "paid"

    promotion = PromotionFactory(name="Spring")
    url = reverse("admin:pricing_engine_promotion_change", args=[promotion.pk])
    assert client.get(url).status_code == 200  # read only
    assert client.post(url, {"name": "Free for all"}).status_code == 403
    assert Promotion.objects.get().name == "Spring"


def test_a_channel_manager_changes_the_dealer_but_not_its_credit(client, roles, dealer):
    client.force_login(member_of("Channel managers"))
    response = post_page(client, company_url(dealer), name="Alpha Tools Ltd")
    assert response.status_code == 302
    dealer.refresh_from_db()
    assert dealer.name == "Alpha Tools Ltd"
    # the credit account inline is read only for them: a forged field changes nothing
    client.post(company_url(dealer), {**page_data(client.get(company_url(dealer))), "credit_account-0-credit_limit": "9999.00"})
    assert limit_of(dealer) == D("1000.00")


def test_support_reads_orders_and_dealers_but_moves_no_money(client, roles, dealer):
    order = OrderFactory(company=dealer, payment_status=Order.PaymentStatus.UNPAID)
    client.force_login(member_of("Support"))
    assert client.get(reverse("admin:storefront_order_changelist")).status_code == 200
    assert client.get(reverse("admin:storefront_order_change", args=[order.pk])).status_code == 200
    assert client.get(reverse("admin:partners_company_changelist")).status_code == 200
    client.post(reverse("admin:storefront_order_changelist"), {"action": "record_payment_received", "_selected_action": [order.pk]})
    assert Order.objects.get().payment_status == Order.PaymentStatus.UNPAID
    assert client.post(company_url(dealer), {"credit_account-0-credit_limit": "9999.00"}).status_code == 403
    account = CreditAccount.objects.get(company=dealer)
    client.post(reverse("admin:billing_dealeraccount_changelist"), {"action": "release_hold", "_selected_action": [account.pk]})
    assert CreditAccount.objects.get().hold_released_until is None
    assert client.get(reverse("admin:billing_dealeraccount_credit", args=[account.pk])).status_code == 403
    assert client.get(reverse("admin:billing_dealeraccount_transfer", args=[account.pk])).status_code == 403
    assert client.get(reverse("admin:storefront_payment_refund", args=[1])).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 403


def test_a_staff_user_in_no_group_sees_nothing(client, roles, dealer):
    client.force_login(UserFactory(email="new@vendor.test", is_staff=True))
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200 and index.context["app_list"] == []
    for name in ("storefront_order", "partners_company", "pricing_engine_pricelist", "rebates_settlement", "auth_user"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name


def test_only_administrators_manage_users_webhooks_and_tokens(client, roles):
    for group, allowed in (("Finance", 403), ("Merchandisers", 403), ("Administrators", 200)):
        client.force_login(member_of(group, email=f"{group}@x.test"))
        for name in ("auth_user", "auth_group", "integrations_webhookendpoint", "integrations_apptoken"):
            assert client.get(reverse(f"admin:{name}_changelist")).status_code == allowed, (group, name)


def test_the_bulk_money_actions_are_offered_only_to_the_role_that_owns_them(client, roles):
    users = {}

    def actions(group, url):
        if group not in users:
            users[group] = member_of(group, email=f"{group.replace(' ', '.')}@x.test")
        client.force_login(users[group])
        response = client.get(reverse(url))
        assert response.status_code == 200
        form = response.context["action_form"]  # None: no action at all
        return {value for value, _ in form.fields["action"].choices} - {""} if form else set()

    assert "write_off_selected" not in actions("Channel managers", "admin:expenses_activityplan_changelist")
    assert "approve_selected" in actions("Channel managers", "admin:expenses_activityplan_changelist")
    assert "write_off_selected" in actions("Finance", "admin:expenses_activityplan_changelist")
    assert "approve_selected" not in actions("Finance", "admin:expenses_activityplan_changelist")
    assert "record_payment_received" in actions("Finance", "admin:storefront_order_changelist")
    assert "record_payment_received" not in actions("Support", "admin:storefront_order_changelist")
    assert "revoke" in actions("Channel managers", "admin:training_certificate_changelist")
    assert "revoke" not in actions("Support", "admin:training_certificate_changelist")
    assert "rewrite" in actions("Merchandisers", "admin:catalog_searchdocument_changelist")


def test_four_eyes_above_1000_needs_two_channel_managers_and_never_the_same_twice(roles):
    dealer_admin = UserFactory(email="boss@alpha.test", company=CompanyFactory(), company__role=Membership.Role.ADMIN)
    company = dealer_admin.membership.company
    plan = PlanFactory(fund__company=company, requested_amount=D("1500.00"), created_by=dealer_admin)
    submit_plan(plan.pk, user=dealer_admin, company=company)
    first, second = member_of("Channel managers", "cm1@vendor.test"), member_of("Channel managers", "cm2@vendor.test")
    approve_plan(plan.pk, approver=first)
    with pytest.raises(DomainError, match="another approver"):
        approve_plan(plan.pk, approver=type(first).objects.get(pk=first.pk))
    assert ActivityPlan.objects.get().state == "submitted"
    with pytest.raises(DomainError):  # finance may audit, not approve
        approve_plan(plan.pk, approver=member_of("Finance"))
    approve_plan(plan.pk, approver=second)
    assert ActivityPlan.objects.get().state == "approved"


def test_an_administrator_manages_users_but_cannot_make_a_superuser(client, roles):
    admin = member_of("Administrators", "it@vendor.test")
    client.force_login(admin)
    url = reverse("admin:auth_user_change", args=[admin.pk])
    response = post_page(client, url, is_superuser="on", first_name="Ida")
    assert response.status_code == 302
    admin.refresh_from_db()
    assert (admin.first_name, admin.is_superuser) == ("Ida", False)
