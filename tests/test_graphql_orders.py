"""orders / order: the dealer's own company only, lines without N+1, pages."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import OrderFactory, OrderLineFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

ORDERS = """
query($first: Int, $after: String) {
  orders(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { number status placedAt total { amount currency }
                   lines { sku name quantity unitPrice { amount } lineTotal { amount } } } }
  }
}"""
ORDER = "query($number: String!) { order(number: $number) { number total { amount } lines { sku } } }"
ADD = "mutation($lines: [CartLineInput!]!) { cartAddLines(lines: $lines) { errors { code } } }"
CHECKOUT = "mutation { checkoutComplete(idempotencyKey: \"a-1\") { order { number } errors { code } } }"


@pytest.fixture
def a_order(graphql, gold_list, dealer_a):
    """Dealer A's order through the API: FIX-255 x 3 at 2.30 (Gold 10% off 2.55) = 6.90."""
    VariantFactory(sku="FIX-255", list_price=Decimal("2.55"), stock=40, product__name="Anchor fixings")
    api = graphql(dealer_a)
    assert api.execute(ADD, {"lines": [{"sku": "FIX-255", "quantity": 3}]})["data"]["cartAddLines"]["errors"] == []
    return api.execute(CHECKOUT)["data"]["checkoutComplete"]["order"]["number"]


def test_dealer_sees_its_orders(graphql, dealer_a, a_order):
    data = graphql(dealer_a).execute(ORDERS)["data"]["orders"]
    assert data["totalCount"] == 1
    node = data["edges"][0]["node"]
    assert node["number"] == a_order
    assert node["status"] == "CONFIRMED"
    assert node["total"] == {"amount": "6.90", "currency": "GBP"}
    assert node["lines"] == [
        {"sku": "FIX-255", "name": "Anchor fixings", "quantity": 3, "unitPrice": {"amount": "2.30"}, "lineTotal": {"amount": "6.90"}}
    ]
    assert graphql(dealer_a).execute(ORDER, {"number": a_order})["data"]["order"] == {
        "number": a_order, "total": {"amount": "6.90"}, "lines": [{"sku": "FIX-255"}]
    }


def test_dealer_b_cannot_see_dealer_a_orders(graphql, dealer_a, dealer_b, a_order):
    api = graphql(dealer_b)
    body = api.execute(ORDER, {"number": a_order})
    assert body == {"data": {"order": None}}
    assert api.execute(ORDERS)["data"]["orders"] == {"totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": []}
    # A colleague in A's company sees it; B's same idempotency key makes B's own order, not A's.
    colleague = UserFactory(company=dealer_a.membership.company)
    assert graphql(colleague).execute(ORDER, {"number": a_order})["data"]["order"]["number"] == a_order
    assert graphql(dealer_b).execute(CHECKOUT)["data"]["checkoutComplete"]["errors"] == [{"code": "EMPTY_CART"}]


def test_orders_need_a_dealer(graphql, a_order):
    body = graphql().execute(ORDER, {"number": a_order})
    assert body["data"] == {"order": None}
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert graphql().execute(ORDERS)["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


def test_orders_pages(graphql, dealer_a):
    company = dealer_a.membership.company
    for i in range(5):
        OrderFactory(company=company, number=f"X{i}")
    api = graphql(dealer_a)
    first = api.execute(ORDERS, {"first": 3})["data"]["orders"]
    assert first["totalCount"] == 5 and first["pageInfo"]["hasNextPage"] is True
    rest = api.execute(ORDERS, {"first": 3, "after": first["pageInfo"]["endCursor"]})["data"]["orders"]
    numbers = [e["node"]["number"] for e in first["edges"] + rest["edges"]]
    assert sorted(numbers) == ["X0", "X1", "X2", "X3", "X4"]
    assert rest["pageInfo"]["hasNextPage"] is False


def _queries(api, first):
    with CaptureQueriesContext(connection) as ctx:
        body = api.execute(ORDERS, {"first": first})
    assert len(body["data"]["orders"]["edges"]) == first
    return len(ctx.captured_queries)


def test_orders_query_count_is_constant_in_page_size(graphql, dealer_a, django_assert_max_num_queries):
    company = dealer_a.membership.company
    for _i in range(30):
        order = OrderFactory(company=company)
        for n in range(1, 4):
            OrderLineFactory(order=order, line_number=n)
    api = graphql(dealer_a)
    assert _queries(api, 5) == _queries(api, 30)
    with django_assert_max_num_queries(4):  # user, count, page of orders, their lines
        api.execute(ORDERS, {"first": 30})


def test_order_shows_what_the_buyer_gave_at_checkout(graphql, gold_list, dealer_a):
    VariantFactory(sku="FIX-255", list_price=Decimal("2.55"), stock=40)
    api = graphql(dealer_a)
    api.execute(ADD, {"lines": [{"sku": "FIX-255", "quantity": 1}]})
    placed = api.execute(
        'mutation { checkoutComplete(idempotencyKey: "po-1", poNumber: "PO-7781", note: "Gate B") { order { number } errors { code } } }'
    )["data"]["checkoutComplete"]
    assert placed["errors"] == []
    query = "query($number: String!) { order(number: $number) { poNumber requestedDeliveryDate note } }"
    assert api.execute(query, {"number": placed["order"]["number"]})["data"]["order"] == {
        "poNumber": "PO-7781", "requestedDeliveryDate": None, "note": "Gate B"
    }
