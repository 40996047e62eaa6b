"""Back office: finance defines programs, reads the ledger, approves settlements; staff run
returns through approve / reject / receive."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from rebates.models import Settlement
from rebates.selectors import wallet_balance
from rebates.services import accrue_order, close_rebate_periods, credit_wallet
from rebates.tests.conftest import order_of
from rebates.tests.factories import RebateProgramFactory
from storefront.models import Return
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from storefront.services.returns import ReturnRequestLine, request_return
from tests.factories import CompanyFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_every_rebate_page_renders_for_staff(admin_client, dealer):
    program = RebateProgramFactory()
    accrue_order(order_of(dealer, "12000.00"))
    close_rebate_periods(date(2026, 10, 1))
    credit_wallet(company=dealer, amount=D("5.00"), currency="GBP", reason="x", reference="r", idempotency_key="k")
    for name in ("rebateprogram", "dealerperiod", "accrualentry", "settlement", "rebatewallet"):
        assert admin_client.get(reverse(f"admin:rebates_{name}_changelist")).status_code == 200, name
    page = admin_client.get(reverse("admin:rebates_rebateprogram_changelist")).content.decode()
    assert "≥ 10000.00 → 1%, ≥ 25000.00 → 2%, ≥ 50000.00 → 3%" in page
    assert admin_client.get(reverse("admin:rebates_rebateprogram_change", args=[program.pk])).status_code == 200
    assert admin_client.get(reverse("admin:rebates_settlement_changelist") + "?status__exact=computed").status_code == 200


def test_finance_approves_and_pays_from_the_admin(admin_client, dealer):
    RebateProgramFactory()
    order_of(dealer, "12000.00")
    close_rebate_periods(date(2026, 10, 1))
    settlement = Settlement.objects.get()
    response = admin_client.post(reverse("admin:rebates_settlement_changelist"),
                                 {"action": "approve_and_pay", "_selected_action": [settlement.pk]}, follow=True)
    assert "1 settlement approved and paid." in response.content.decode()
    assert wallet_balance(dealer, "GBP") == D("120.00")


def test_dealer_users_cannot_reach_the_rebate_admin(client, dealer):
    client.force_login(UserFactory(company=dealer))
    response = client.get(reverse("admin:rebates_settlement_changelist"))
    assert response.status_code == 302 and "/login/" in response.url


def test_staff_approve_reject_and_receive_returns(admin_client):
    VariantFactory(sku="LAMP", list_price=D("10.00"), stock=10)
    company = CompanyFactory()
    user = UserFactory(company=company)
    add_lines(user, company, [LineChange("LAMP", 4)])
    order = checkout_complete(user=user, company=company, idempotency_key="k").order
    line = order.lines.get()
    one, two = (request_return(company=company, order_id=order.pk, lines=[ReturnRequestLine(line.pk, 1)]) for _ in range(2))
    url = reverse("admin:storefront_return_changelist")
    admin_client.post(url, {"action": "approve", "_selected_action": [one.pk]})
    response = admin_client.post(url, {"action": "receive", "_selected_action": [one.pk]}, follow=True)
    assert "1 return received and credited." in response.content.decode()
    # Rejecting needs the reason written on the return first.
    response = admin_client.post(url, {"action": "reject", "_selected_action": [two.pk]}, follow=True)
    assert "Say why the return is rejected" in response.content.decode()
    Return.objects.filter(pk=two.pk).update(rejection_reason="Used goods")
    admin_client.post(url, {"action": "reject", "_selected_action": [two.pk]})
    assert dict(Return.objects.values_list("pk", "status")) == {one.pk: "completed", two.pk: "rejected"}
    assert admin_client.get(reverse("admin:storefront_return_change", args=[two.pk])).status_code == 200
