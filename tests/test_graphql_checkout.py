"""checkoutComplete through the API: the order, idempotency, and every error leaves nothing written.

Worked by hand (dealer A: Gold 10% off list, contract HAM-1200 at 9.99):
  FIX-255 x 4 at 2.30 = 9.20 + HAM-1200 x 2 at 9.99 = 19.98 -> total 29.18.
"""

from decimal import Decimal

import pytest

from catalog.models import Stock
from partners.models import CreditAccount
from pricing_engine.models import PriceList
from storefront.models import CartLine, Order
from tests.factories import (
    CompanyFactory,
    PriceListFactory,
    PriceListItemFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db

ADD = "mutation($lines: [CartLineInput!]!) { cartAddLines(lines: $lines) { errors { code } } }"
CHECKOUT = """
mutation($key: String!) {
  checkoutComplete(idempotencyKey: $key, paymentMethod: ON_ACCOUNT) {
    order { number status total { amount currency }
            lines { sku name quantity unitPrice { amount } lineTotal { amount } } }
    errors { field code message }
  }
}"""


@pytest.fixture
def shop(gold_list, dealer_a):
    VariantFactory(sku="FIX-255", list_price=Decimal("2.55"), stock=40, product__name="Anchor fixings")
    ham = VariantFactory(sku="HAM-1200", list_price=Decimal("12.00"), stock=7, product__name="Claw hammer")
    VariantFactory(sku="BOX-6", list_price=Decimal("1.00"), stock=100, order_multiple=6, product__name="Boxed screws")
    contract = PriceListFactory(kind=PriceList.Kind.CONTRACT, company=dealer_a.membership.company)
    PriceListItemFactory(price_list=contract, variant=ham, unit_price=Decimal("9.99"))


def _fill(api, *lines):
    body = api.execute(ADD, {"lines": [{"sku": s, "quantity": q} for s, q in lines]})
    assert body["data"]["cartAddLines"]["errors"] == []


def _available(sku):
    stock = Stock.objects.get(variant__sku=sku)
    return stock.quantity_on_hand - stock.quantity_allocated


def test_checkout_places_the_order(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    _fill(api, ("FIX-255", 4), ("HAM-1200", 2))
    payload = api.execute(CHECKOUT, {"key": "order-1"})["data"]["checkoutComplete"]
    assert payload["errors"] == []
    order = payload["order"]
    assert order["number"].startswith("DM") and len(order["number"]) == 10
    assert order["status"] == "CONFIRMED"
    assert order["total"] == {"amount": "29.18", "currency": "GBP"}
    assert order["lines"] == [
        {"sku": "FIX-255", "name": "Anchor fixings", "quantity": 4, "unitPrice": {"amount": "2.30"}, "lineTotal": {"amount": "9.20"}},
        {"sku": "HAM-1200", "name": "Claw hammer", "quantity": 2, "unitPrice": {"amount": "9.99"}, "lineTotal": {"amount": "19.98"}},
    ]
    assert CartLine.objects.count() == 0
    assert _available("FIX-255") == 36 and _available("HAM-1200") == 5
    assert CreditAccount.objects.get(company=dealer_a.membership.company).outstanding == Decimal("29.18")


def test_same_idempotency_key_twice_gives_the_same_order(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    _fill(api, ("FIX-255", 4))
    first = api.execute(CHECKOUT, {"key": "retry-me"})["data"]["checkoutComplete"]
    again = api.execute(CHECKOUT, {"key": "retry-me"})["data"]["checkoutComplete"]
    assert again["errors"] == []
    assert again["order"]["number"] == first["order"]["number"]
    assert again["order"]["total"] == {"amount": "9.20", "currency": "GBP"}
    assert Order.objects.count() == 1
    assert _available("FIX-255") == 36  # allocated once


def test_empty_cart(graphql, shop, dealer_a):
    payload = graphql(dealer_a).execute(CHECKOUT, {"key": "k"})["data"]["checkoutComplete"]
    assert payload["order"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("lines", "EMPTY_CART")]


def test_credit_limit_exceeded_writes_nothing(graphql, shop, gold_tier):
    company = CompanyFactory(tier=gold_tier, credit_account__credit_limit=Decimal("10.00"))
    buyer = UserFactory(company=company)
    api = graphql(buyer)
    _fill(api, ("HAM-1200", 1))  # Gold: 12.00 less 10% = 10.80 > 10.00
    payload = api.execute(CHECKOUT, {"key": "k"})["data"]["checkoutComplete"]
    assert payload["order"] is None
    assert [e["code"] for e in payload["errors"]] == ["CREDIT_LIMIT_EXCEEDED"]
    assert "10.80" in payload["errors"][0]["message"]
    assert Order.objects.count() == 0
    assert CartLine.objects.count() == 1
    assert _available("HAM-1200") == 7
    assert CreditAccount.objects.get(company=company).outstanding == Decimal("0")


def test_insufficient_stock_writes_nothing(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    _fill(api, ("FIX-255", 4), ("HAM-1200", 8))  # 7 in stock
    payload = api.execute(CHECKOUT, {"key": "k"})["data"]["checkoutComplete"]
    assert [(e["code"], e["message"]) for e in payload["errors"]] == [
        ("INSUFFICIENT_STOCK", "Only 7 of HAM-1200 available; 8 requested.")
    ]
    assert Order.objects.count() == 0
    assert _available("FIX-255") == 40
    assert CreditAccount.objects.get(company=dealer_a.membership.company).outstanding == Decimal("0")


def test_order_multiple_is_enforced_at_checkout(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    _fill(api, ("BOX-6", 4))
    payload = api.execute(CHECKOUT, {"key": "k"})["data"]["checkoutComplete"]
    assert [e["code"] for e in payload["errors"]] == ["NOT_ORDER_MULTIPLE"]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("key", ["", "   ", "k" * 129])
def test_bad_idempotency_key(graphql, shop, dealer_a, key):
    api = graphql(dealer_a)
    _fill(api, ("FIX-255", 1))
    payload = api.execute(CHECKOUT, {"key": key})["data"]["checkoutComplete"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("idempotencyKey", "INVALID")]


def test_checkout_needs_a_dealer(graphql, shop):
    payload = graphql().execute(CHECKOUT, {"key": "k"})["data"]["checkoutComplete"]
    assert payload["errors"][0]["code"] == "NOT_AUTHENTICATED"
    staff = UserFactory(email="staff@vendor.example")
    assert graphql(staff).execute(CHECKOUT, {"key": "k"})["data"]["checkoutComplete"]["errors"][0]["code"] == "NO_COMPANY"
