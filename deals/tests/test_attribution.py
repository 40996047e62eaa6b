"""Attribution: an order placed at checkout with a deal counts towards it; the deal shows
its orders and their value; another dealer's deal, or one not protected, refuses the order
(nothing is placed)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from deals import selectors, services
from deals.models import Deal, DealOrder
from deals.tests.factories import DealFactory
from mall.errors import DomainError
from storefront.models import Order
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(alpha, staff):
    deal = DealFactory(company=alpha.membership.company, registered_by=alpha, prospect_name="Acme Trading Ltd")
    services.submit_deal(deal.pk, company=deal.company, user=alpha)
    services.approve_deal(deal.pk, by=staff)
    return deal


def _order(user, key, deal_id, quantity=4):
    VariantFactory(sku=f"SKU-{key}", list_price=Decimal("2.50"), stock=100)
    add_lines(user, user.membership.company, [LineChange(f"SKU-{key}", quantity)])
    return checkout_complete(user=user, company=user.membership.company, idempotency_key=key, deal_id=deal_id).order


def test_orders_count_towards_the_deal(alpha, approved):
    first = _order(alpha, "po-1", approved.pk)  # 4 x 2.50 = 10.00
    second = _order(alpha, "po-2", str(approved.pk), quantity=6)  # 15.00
    assert set(DealOrder.objects.filter(deal=approved).values_list("order_id", flat=True)) == {first.pk, second.pk}
    assert selectors.attributed_value(approved) == {"GBP": Decimal("25.00")}


def test_a_retried_checkout_does_not_attribute_twice(alpha, approved):
    first = _order(alpha, "po-1", approved.pk)
    again = checkout_complete(user=alpha, company=alpha.membership.company, idempotency_key="po-1", deal_id=approved.pk)
    assert again.order == first and not again.created
    assert DealOrder.objects.count() == 1


def test_another_dealers_deal_is_refused_and_nothing_is_placed(alpha, beta, approved):
    with pytest.raises(DomainError) as excinfo:
        _order(beta, "po-x", approved.pk)
    assert [(d.field, d.code) for d in excinfo.value.details] == [("deal_id", "NOT_FOUND")]
    assert not Order.objects.exists() and not DealOrder.objects.exists()


@pytest.mark.parametrize("state", [Deal.State.SUBMITTED, Deal.State.WON, Deal.State.EXPIRED])
def test_only_an_approved_protected_deal_takes_orders(alpha, state):
    deal = DealFactory(company=alpha.membership.company, state=state,
                       protected_until=timezone.now() + timedelta(days=5))
    with pytest.raises(DomainError) as excinfo:
        _order(alpha, "po-s", deal.pk)
    assert excinfo.value.details[0].code == "DEAL_NOT_PROTECTED"
    assert not Order.objects.exists()


def test_protection_past_its_end_takes_no_order_even_before_the_expiry_task(alpha, approved):
    Deal.objects.filter(pk=approved.pk).update(protected_until=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError) as excinfo:
        _order(alpha, "po-late", approved.pk)
    assert excinfo.value.details[0].code == "DEAL_NOT_PROTECTED"


def test_deal_page_and_api_show_orders_and_value(client, graphql, alpha, approved):
    order = _order(alpha, "po-1", approved.pk)
    client.force_login(alpha)
    page = client.get(f"/deals/{approved.pk}/").content.decode()
    assert order.number in page and "£10.00" in page
    data = graphql(alpha).execute("query($id: ID!) { deal(id: $id) { orders { number total { amount } } attributedValue { amount currency } } }",
                                  {"id": str(approved.pk)})["data"]["deal"]
    assert data == {"orders": [{"number": order.number, "total": {"amount": "10.00"}}],
                    "attributedValue": [{"amount": "10.00", "currency": "GBP"}]}


def test_checkout_page_offers_the_protected_deals_and_attributes(client, alpha, approved):
    DealFactory(company=alpha.membership.company, prospect_name="Draft Prospect")
    VariantFactory(sku="SKU-P", list_price=Decimal("2.50"), stock=100)
    add_lines(alpha, alpha.membership.company, [LineChange("SKU-P", 2)])
    client.force_login(alpha)
    page = client.get("/checkout/").content.decode()
    assert f'<option value="{approved.pk}">Acme Trading Ltd</option>' in page and "Draft Prospect" not in page
    response = client.post("/checkout/", {"idempotency_key": "page-1", "payment_method": "on_account", "deal_id": str(approved.pk)})
    assert response.status_code == 302
    assert DealOrder.objects.get().order.idempotency_key == "page-1"


CHECKOUT = """mutation($key: String!, $deal: ID) { checkoutComplete(idempotencyKey: $key, dealId: $deal) {
  order { number } errors { field code } } }"""


def test_checkout_api_takes_a_deal_id_and_refuses_another_dealers(graphql, alpha, beta, approved):
    VariantFactory(sku="SKU-B", list_price=Decimal("2.50"), stock=100)
    add_lines(beta, beta.membership.company, [LineChange("SKU-B", 2)])
    refused = graphql(beta).execute(CHECKOUT, {"key": "api-b", "deal": str(approved.pk)})["data"]["checkoutComplete"]
    assert refused == {"order": None, "errors": [{"field": "dealId", "code": "NOT_FOUND"}]}
    add_lines(alpha, alpha.membership.company, [LineChange("SKU-B", 2)])
    placed = graphql(alpha).execute(CHECKOUT, {"key": "api-a", "deal": str(approved.pk)})["data"]["checkoutComplete"]
    assert placed["errors"] == []
    assert DealOrder.objects.get(deal=approved).order.number == placed["order"]["number"]
