"""checkout_complete as a service: snapshots, all-or-nothing, query counts, credit."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Stock, Variant
from integrations.models import OutboxEvent
from mall.errors import DomainError
from partners.models import CreditAccount
from storefront.models import CartLine, Order
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from storefront.services.payments import record_payment
from tests.factories import (
    CompanyFactory,
    PriceBreakFactory,
    PriceListFactory,
    PriceListItemFactory,
    TierFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold_dealer():
    gold = TierFactory(code="GOLD", name="Gold")
    gold_list = PriceListFactory(tier=gold, name="Gold price list", default_discount_percent=Decimal("10"))
    dealer = CompanyFactory(tier=gold, credit_account__credit_limit=Decimal("500.00"))
    return UserFactory(company=dealer), dealer, gold_list


def test_order_snapshot_keeps_its_prices_when_the_catalog_changes(gold_dealer):
    user, dealer, gold_list = gold_dealer
    VariantFactory(sku="85123A", list_price=Decimal("2.55"), stock=100)
    add_lines(user, dealer, [LineChange("85123A", 6)])
    order = checkout_complete(user=user, company=dealer, idempotency_key="po-1").order

    Variant.objects.filter(sku="85123A").update(list_price=Decimal("9.99"))
    gold_list.delete()

    line = Order.objects.get(pk=order.pk).lines.get()
    assert (line.list_price, line.unit_price, line.line_total, line.discount_total) == (
        Decimal("2.55"), Decimal("2.30"), Decimal("13.80"), Decimal("1.50"),  # 2.295 -> 2.30; 6 × 0.25
    )
    assert [step["kind"] for step in line.waterfall] == ["list", "tier"]
    assert order.total == Decimal("13.80")


def test_contract_beats_tier_and_a_break_applies_from_its_quantity(gold_dealer):
    user, dealer, _ = gold_dealer
    lantern = VariantFactory(sku="71053", list_price=Decimal("3.39"), stock=500)
    contract = PriceListFactory(company=dealer, name="Contract 17850")
    PriceListItemFactory(price_list=contract, variant=lantern, unit_price=Decimal("2.90"))
    PriceBreakFactory(price_list=contract, variant=lantern, min_quantity=48, unit_price=Decimal("2.50"))
    add_lines(user, dealer, [LineChange("71053", 48)])
    order = checkout_complete(user=user, company=dealer, idempotency_key="po-2").order
    line = order.lines.get()
    assert line.unit_price == Decimal("2.50") and line.line_total == Decimal("120.00")  # 48 × 2.50
    assert [step["kind"] for step in line.waterfall] == ["list", "contract", "volume_break"]
    assert line.price_source == "Contract 17850"


def test_a_failed_checkout_writes_nothing(gold_dealer):
    user, dealer, _ = gold_dealer
    VariantFactory(sku="A-1", list_price=Decimal("10.00"), stock=100)
    VariantFactory(sku="B-2", list_price=Decimal("10.00"), stock=1)
    add_lines(user, dealer, [LineChange("A-1", 5), LineChange("B-2", 2)])

    with pytest.raises(DomainError) as refused:
        checkout_complete(user=user, company=dealer, idempotency_key="po-3")

    assert [d.code for d in refused.value.details] == ["INSUFFICIENT_STOCK"]
    assert "Only 1 of B-2 available; 2 requested." in str(refused.value)
    assert not Order.objects.exists()
    assert CreditAccount.objects.get(company=dealer).outstanding == Decimal("0")
    assert list(Stock.objects.order_by("variant__sku").values_list("quantity_allocated", flat=True)) == [0, 0]
    assert CartLine.objects.filter(cart__user=user).count() == 2  # the cart is still there to fix
    assert not OutboxEvent.objects.exists()


def test_credit_limit_and_payment(gold_dealer):
    user, dealer, _ = gold_dealer
    VariantFactory(sku="BIG", list_price=Decimal("100.00"), stock=100)
    add_lines(user, dealer, [LineChange("BIG", 5)])  # 5 × 90.00 = 450.00 of a 500.00 limit
    first = checkout_complete(user=user, company=dealer, idempotency_key="po-4").order
    add_lines(user, dealer, [LineChange("BIG", 1)])  # 90.00 more: 540.00 > 500.00
    with pytest.raises(DomainError) as refused:
        checkout_complete(user=user, company=dealer, idempotency_key="po-5")
    assert refused.value.details[0].code == "CREDIT_LIMIT_EXCEEDED"
    assert "available credit of 50.00 GBP" in refused.value.details[0].message

    assert record_payment(first.pk) is True
    assert record_payment(first.pk) is False  # paid once only
    assert CreditAccount.objects.get(company=dealer).outstanding == Decimal("0.00")
    second = checkout_complete(user=user, company=dealer, idempotency_key="po-5").order
    assert second.total == Decimal("90.00")


def test_checkout_queries_do_not_grow_with_lines(gold_dealer):
    user, dealer, _ = gold_dealer
    for n in range(20):
        VariantFactory(sku=f"Q-{n:02d}", list_price=Decimal("1.00"), stock=100)

    def count(lines: int, key: str) -> int:
        add_lines(user, dealer, [LineChange(f"Q-{n:02d}", 1) for n in range(lines)])
        with CaptureQueriesContext(connection) as queries:
            checkout_complete(user=user, company=dealer, idempotency_key=key)
        return len(queries)

    assert count(1, "one") == count(20, "twenty")


def test_an_inactive_company_cannot_check_out(gold_dealer):
    user, dealer, _ = gold_dealer
    VariantFactory(sku="X-1", stock=10)
    add_lines(user, dealer, [LineChange("X-1", 1)])
    dealer.is_active = False
    dealer.save()
    with pytest.raises(DomainError) as refused:
        checkout_complete(user=user, company=dealer, idempotency_key="po-6")
    assert refused.value.details[0].code == "COMPANY_INACTIVE"
