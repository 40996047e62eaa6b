"""Contended rows on real PostgreSQL connections: two buyers, one last unit; two orders, one
last bit of credit. Each thread has its own database connection (transaction=True tests)."""

from decimal import Decimal

import pytest

from catalog.models import Stock
from mall.errors import DomainError
from partners.models import CreditAccount
from storefront.models import Order
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from tests.concurrency import race
from tests.factories import CompanyFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def buyer(**company):
    dealer = CompanyFactory(**company)
    return UserFactory(company=dealer), dealer


def test_two_buyers_racing_for_the_last_units_one_wins():
    variant = VariantFactory(sku="LAST-5", list_price=Decimal("4.00"), stock=5)
    (user_a, dealer_a), (user_b, dealer_b) = buyer(), buyer()
    add_lines(user_a, dealer_a, [LineChange("LAST-5", 5)])
    add_lines(user_b, dealer_b, [LineChange("LAST-5", 4)])

    results = race(
        lambda: checkout_complete(user=user_a, company=dealer_a, idempotency_key="a-1"),
        lambda: checkout_complete(user=user_b, company=dealer_b, idempotency_key="b-1"),
    )

    won = [r for r in results if not isinstance(r, Exception)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].details[0].code == "INSUFFICIENT_STOCK"
    stock = Stock.objects.get(variant=variant)
    assert stock.quantity_on_hand == 5
    assert stock.quantity_allocated == won[0].order.lines.get().quantity  # 5 or 4, never 9
    assert Order.objects.count() == 1


def test_many_buyers_never_oversell():
    variant = VariantFactory(sku="HOT-10", list_price=Decimal("1.00"), stock=10)
    buyers = [buyer() for _ in range(6)]
    for user, dealer in buyers:
        add_lines(user, dealer, [LineChange("HOT-10", 3)])

    results = race(
        *[
            (lambda u=user, d=dealer: checkout_complete(user=u, company=d, idempotency_key=f"k-{d.pk}"))
            for user, dealer in buyers
        ]
    )

    placed = [r for r in results if not isinstance(r, Exception)]
    assert len(placed) == 3  # 3 × 3 = 9 of 10 units; a fourth would need 12
    assert all(isinstance(r, DomainError) for r in results if r not in placed)
    assert Stock.objects.get(variant=variant).quantity_allocated == 9


def test_two_orders_cannot_both_use_the_last_of_the_credit_limit():
    VariantFactory(sku="CR-1", list_price=Decimal("60.00"), stock=100)
    dealer = CompanyFactory(credit_account__credit_limit=Decimal("100.00"))
    first, second = UserFactory(company=dealer), UserFactory(company=dealer)
    add_lines(first, dealer, [LineChange("CR-1", 1)])
    add_lines(second, dealer, [LineChange("CR-1", 1)])

    results = race(
        lambda: checkout_complete(user=first, company=dealer, idempotency_key="one"),
        lambda: checkout_complete(user=second, company=dealer, idempotency_key="two"),
    )

    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 1 and errors[0].details[0].code == "CREDIT_LIMIT_EXCEEDED"
    assert CreditAccount.objects.get(company=dealer).outstanding == Decimal("60.00")
    assert Stock.objects.get(variant__sku="CR-1").quantity_allocated == 1  # the loser took no stock


def test_the_same_idempotency_key_twice_at_once_gives_one_order():
    VariantFactory(sku="IDEM-1", list_price=Decimal("2.00"), stock=50)
    user, dealer = buyer()
    add_lines(user, dealer, [LineChange("IDEM-1", 3)])

    results = race(
        lambda: checkout_complete(user=user, company=dealer, idempotency_key="same"),
        lambda: checkout_complete(user=user, company=dealer, idempotency_key="same"),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert {r.order.pk for r in results} == {Order.objects.get().pk}
    assert sorted(r.created for r in results) == [False, True]
    assert Stock.objects.get(variant__sku="IDEM-1").quantity_allocated == 3


def test_opposite_line_orders_do_not_deadlock():
    VariantFactory(sku="AA-1", stock=100)
    VariantFactory(sku="ZZ-9", stock=100)
    (user_a, dealer_a), (user_b, dealer_b) = buyer(), buyer()
    add_lines(user_a, dealer_a, [LineChange("AA-1", 1), LineChange("ZZ-9", 1)])
    add_lines(user_b, dealer_b, [LineChange("ZZ-9", 1), LineChange("AA-1", 1)])

    results = race(
        lambda: checkout_complete(user=user_a, company=dealer_a, idempotency_key="x"),
        lambda: checkout_complete(user=user_b, company=dealer_b, idempotency_key="y"),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(Stock.objects.values_list("quantity_allocated", flat=True)) == [2, 2]
