"""Quick order and lists on real PostgreSQL connections at the same moment: the buyer's cart
row and the list row are locked first, so two submissions are checked one after the other
(never two inserts of the same cart line, never the stock check of one blind to the other)."""

from decimal import Decimal

import pytest

from storefront.models import Cart, CartLine, OrderList
from storefront.quick_order_input import parse_text
from storefront.services.order_lists import add_item
from storefront.services.quick_order import quick_order_add
from tests.concurrency import race
from tests.factories import CompanyFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_quick_orders_of_one_buyer_at_once_are_checked_one_after_the_other():
    VariantFactory(sku="LOW", list_price=Decimal("4.00"), stock=3)
    VariantFactory(sku="BOX-6", list_price=Decimal("1.00"), stock=100, order_multiple=6)
    company = CompanyFactory()
    user = UserFactory(company=company)
    Cart.objects.create(user=user, company=company)

    results = race(*[lambda: quick_order_add(user, company, parse_text("LOW 2\nBOX-6 6")) for _ in range(4)])

    assert not [r for r in results if isinstance(r, Exception)], results
    # All four add 6 of BOX-6 (one line of 24); only the first finds 2 of the 3 LOW free for it.
    lines = {line.variant.sku: line.quantity for line in CartLine.objects.select_related("variant")}
    assert lines == {"LOW": 2, "BOX-6": 24}
    codes = sorted(tuple(e.code for e in r.errors) for r in results)
    assert codes == [(), ("OUT_OF_STOCK",), ("OUT_OF_STOCK",), ("OUT_OF_STOCK",)]


def test_two_colleagues_adding_the_same_sku_to_a_list_at_once_sum_up():
    VariantFactory(sku="FIX-1", list_price=Decimal("1.00"), stock=10)
    company = CompanyFactory()
    order_list = OrderList.objects.create(company=company, name="Weekly")

    results = race(*[lambda q=q: add_item(company, order_list.pk, "FIX-1", q) for q in (2, 5)])

    assert not [r for r in results if isinstance(r, Exception)], results
    assert [(line.variant.sku, line.quantity) for line in order_list.lines.select_related("variant")] == [("FIX-1", 7)]
