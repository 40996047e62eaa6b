"""quickOrderAdd, orderReorder, orderLists and the orderList* mutations through /graphql/.

Dealer A is Gold (10% off list): FIX-255 at 2.55 -> 2.30 (2.295 rounded half up); BOX-6 is
sold in multiples of 6; LOW has 3 in stock. Dealer B is another company.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefront.models import CartLine, OrderList, OrderListLine
from tests.factories import OrderFactory, OrderLineFactory, VariantFactory

pytestmark = pytest.mark.django_db

RESULT = "cart { lines { sku quantity lineTotal { amount } } total { amount } } lines { line sku quantity added errors { field code message } } errors { field code message }"
QUICK = f"mutation($lines: [CartLineInput!]!) {{ quickOrderAdd(lines: $lines) {{ {RESULT} }} }}"
REORDER = f"mutation($number: String!) {{ orderReorder(number: $number) {{ {RESULT} }} }}"
TO_CART = f"mutation($id: ID!) {{ orderListAddToCart(id: $id) {{ {RESULT} }} }}"
LIST = "orderList { id name createdBy lines { sku name quantity position forSale } } errors { field code message }"
CREATE = f"mutation($name: String!, $fromCart: Boolean, $lines: [CartLineInput!]) {{ orderListCreate(name: $name, fromCart: $fromCart, lines: $lines) {{ {LIST} }} }}"
UPDATE = (
    "mutation($id: ID!, $name: String, $set: [OrderListLineInput!], $remove: [String!]) "
    f"{{ orderListUpdate(id: $id, name: $name, setLines: $set, removeSkus: $remove) {{ {LIST} }} }}"
)
DELETE = "mutation($id: ID!) { orderListDelete(id: $id) { deletedId errors { field code message } } }"
LISTS = "query($first: Int) { orderLists(first: $first) { totalCount pageInfo { hasNextPage } edges { node { name lines { sku quantity } } } } }"
ONE = "query($id: ID!) { orderList(id: $id) { name } }"


@pytest.fixture
def shop(gold_list):
    return {
        "fix": VariantFactory(sku="FIX-255", list_price=Decimal("2.55"), stock=40, product__name="Anchor fixings"),
        "box": VariantFactory(sku="BOX-6", list_price=Decimal("1.00"), stock=100, order_multiple=6, product__name="Boxed screws"),
        "low": VariantFactory(sku="LOW", list_price=Decimal("4.00"), stock=3, product__name="Last lanterns"),
    }


def cart_of(user) -> dict[str, int]:
    return {line.variant.sku: line.quantity for line in CartLine.objects.filter(cart__user=user).select_related("variant")}


def weekly_of(user, shop) -> OrderList:
    order_list = OrderList.objects.create(company=user.membership.company, name="Weekly", created_by=user)
    OrderListLine.objects.create(order_list=order_list, variant=shop["fix"], quantity=4, position=1)
    OrderListLine.objects.create(order_list=order_list, variant=shop["low"], quantity=5, position=2)
    return order_list


def test_quick_order_answers_every_line_and_adds_the_good_ones(graphql, shop, dealer_a):
    lines = [
        {"sku": "fix-255", "quantity": 4},
        {"sku": "BOX-6", "quantity": 7},
        {"sku": "NOPE", "quantity": 1},
        {"sku": "FIX-255", "quantity": 6},
        {"sku": "LOW", "quantity": 0},
    ]
    payload = graphql(dealer_a).execute(QUICK, {"lines": lines})["data"]["quickOrderAdd"]
    not_multiple = {"field": "lines.1.quantity", "code": "NOT_A_MULTIPLE", "message": "BOX-6 is sold in multiples of 6; 7 is not one. Try 6 or 12."}
    unknown = {"field": "lines.2.sku", "code": "UNKNOWN_SKU", "message": "No product with SKU “NOPE” is for sale; check the code."}
    zero = {"field": "lines.4.quantity", "code": "INVALID_QUANTITY", "message": "“0” is not a quantity; give a whole number of at least 1."}
    assert payload["lines"] == [
        {"line": 1, "sku": "FIX-255", "quantity": 4, "added": True, "errors": []},
        {"line": 2, "sku": "BOX-6", "quantity": 7, "added": False, "errors": [not_multiple]},
        {"line": 3, "sku": "NOPE", "quantity": 1, "added": False, "errors": [unknown]},
        {"line": 4, "sku": "FIX-255", "quantity": 6, "added": True, "errors": []},
        {"line": 5, "sku": "LOW", "quantity": 0, "added": False, "errors": [zero]},
    ]
    assert payload["errors"] == [not_multiple, unknown, zero]
    # 4 + 6 = 10 x 2.30 = 23.00
    assert payload["cart"]["lines"] == [{"sku": "FIX-255", "quantity": 10, "lineTotal": {"amount": "23.00"}}]
    assert cart_of(dealer_a) == {"FIX-255": 10}


def test_quick_order_limits_and_sign_in(graphql, shop, dealer_a):
    too_many = [{"sku": "FIX-255", "quantity": 1}] * 501
    payload = graphql(dealer_a).execute(QUICK, {"lines": too_many})["data"]["quickOrderAdd"]
    assert payload["cart"] is None and [e["code"] for e in payload["errors"]] == ["TOO_MANY_LINES"]
    payload = graphql(dealer_a).execute(QUICK, {"lines": []})["data"]["quickOrderAdd"]
    assert [e["code"] for e in payload["errors"]] == ["REQUIRED"]
    payload = graphql().execute(QUICK, {"lines": [{"sku": "FIX-255", "quantity": 1}]})["data"]["quickOrderAdd"]
    assert [e["code"] for e in payload["errors"]] == ["NOT_AUTHENTICATED"]
    assert not CartLine.objects.exists()


def test_quick_order_query_count_does_not_grow_with_lines(graphql, gold_list, dealer_a):
    variants = [VariantFactory(sku=f"Q-{i:03d}", list_price=Decimal("1.00"), stock=10) for i in range(50)]
    api = graphql(dealer_a)
    api.execute(QUICK, {"lines": [{"sku": "Q-000", "quantity": 1}]})  # the cart exists from here on

    def run(count):
        CartLine.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            payload = api.execute(QUICK, {"lines": [{"sku": v.sku, "quantity": 1} for v in variants[:count]]})["data"]["quickOrderAdd"]
        assert payload["errors"] == [] and len(payload["cart"]["lines"]) == count
        return len(queries.captured_queries)

    assert run(5) == run(50)


def test_create_update_read_and_delete_a_list(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    created = api.execute(CREATE, {"name": "Site A", "lines": [{"sku": "FIX-255", "quantity": 4}, {"sku": "box-6", "quantity": 6}]})["data"]["orderListCreate"]
    assert created["errors"] == []
    assert created["orderList"]["createdBy"] == "buyer@alpha.example"
    assert [(line["sku"], line["quantity"], line["position"]) for line in created["orderList"]["lines"]] == [("FIX-255", 4, 1), ("BOX-6", 6, 2)]
    list_id = created["orderList"]["id"]
    updated = api.execute(UPDATE, {"id": list_id, "name": "Site B", "set": [{"sku": "BOX-6", "quantity": 12}, {"sku": "LOW", "quantity": 2}], "remove": ["FIX-255"]})["data"]["orderListUpdate"]
    assert updated["errors"] == []
    assert updated["orderList"]["name"] == "Site B"
    assert [(line["sku"], line["quantity"]) for line in updated["orderList"]["lines"]] == [("BOX-6", 12), ("LOW", 2)]
    taken = api.execute(CREATE, {"name": "site b"})["data"]["orderListCreate"]
    assert [e["code"] for e in taken["errors"]] == ["NAME_TAKEN"]
    # All or nothing: a bad SKU keeps the rename from happening too.
    bad = api.execute(UPDATE, {"id": list_id, "name": "Site C", "set": [{"sku": "NOPE", "quantity": 1}]})["data"]["orderListUpdate"]
    assert bad["errors"] == [{"field": "lines.0.sku", "code": "UNKNOWN_SKU", "message": "No product with SKU “NOPE” is for sale."}]
    assert OrderList.objects.get(pk=list_id).name == "Site B"
    twice = api.execute(UPDATE, {"id": list_id, "set": [{"sku": "LOW", "quantity": 1}, {"sku": "LOW", "quantity": 3}]})["data"]["orderListUpdate"]
    assert twice["errors"] == [{"field": "lines.1.sku", "code": "DUPLICATE_SKU", "message": "LOW appears twice; give each SKU once."}]
    listed = api.execute(LISTS)["data"]["orderLists"]
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"] == {"name": "Site B", "lines": [{"sku": "BOX-6", "quantity": 12}, {"sku": "LOW", "quantity": 2}]}
    assert api.execute(DELETE, {"id": list_id})["data"]["orderListDelete"] == {"deletedId": list_id, "errors": []}
    assert not OrderList.objects.exists()


def test_save_the_cart_as_a_list(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    empty = api.execute(CREATE, {"name": "From cart", "fromCart": True})["data"]["orderListCreate"]
    assert [e["code"] for e in empty["errors"]] == ["EMPTY_CART"]
    api.execute(QUICK, {"lines": [{"sku": "BOX-6", "quantity": 12}, {"sku": "FIX-255", "quantity": 1}]})
    made = api.execute(CREATE, {"name": "From cart", "fromCart": True})["data"]["orderListCreate"]
    assert [(line["sku"], line["quantity"]) for line in made["orderList"]["lines"]] == [("BOX-6", 12), ("FIX-255", 1)]


def test_add_a_list_to_the_cart_reports_what_cannot_be_ordered(graphql, shop, dealer_a):
    weekly = weekly_of(dealer_a, shop)
    payload = graphql(dealer_a).execute(TO_CART, {"id": str(weekly.pk)})["data"]["orderListAddToCart"]
    stock = {"field": "lines.1.quantity", "code": "OUT_OF_STOCK", "message": "Only 3 of LOW in stock; you asked for 5."}
    assert payload["lines"] == [
        {"line": 1, "sku": "FIX-255", "quantity": 4, "added": True, "errors": []},
        {"line": 2, "sku": "LOW", "quantity": 5, "added": False, "errors": [stock]},
    ]
    assert payload["errors"] == [stock]
    assert payload["cart"]["total"] == {"amount": "9.20"}  # 4 x 2.30


def test_reorder_at_todays_prices(graphql, shop, dealer_a):
    order = OrderFactory(company=dealer_a.membership.company, user=dealer_a, number="DM00000007")
    OrderLineFactory(order=order, line_number=1, variant=shop["fix"], sku="FIX-255", quantity=2, unit_price=Decimal("1.99"))
    OrderLineFactory(order=order, line_number=2, variant=None, sku="GONE-1", quantity=1)
    payload = graphql(dealer_a).execute(REORDER, {"number": "DM00000007"})["data"]["orderReorder"]
    assert [(line["line"], line["added"]) for line in payload["lines"]] == [(1, True), (2, False)]
    assert payload["errors"][0]["code"] == "UNKNOWN_SKU"
    assert payload["cart"]["lines"] == [{"sku": "FIX-255", "quantity": 2, "lineTotal": {"amount": "4.60"}}]  # 2 x 2.30


def test_another_dealer_cannot_see_change_or_use_the_list_or_reorder_the_order(graphql, shop, dealer_a, dealer_b):
    weekly = weekly_of(dealer_a, shop)
    order = OrderFactory(company=dealer_a.membership.company, user=dealer_a, number="DM00000008")
    OrderLineFactory(order=order, line_number=1, variant=shop["fix"], sku="FIX-255", quantity=2)
    stranger = graphql(dealer_b)
    assert stranger.execute(LISTS)["data"]["orderLists"]["totalCount"] == 0
    assert stranger.execute(ONE, {"id": str(weekly.pk)})["data"]["orderList"] is None
    not_found = [{"field": "id", "code": "NOT_FOUND", "message": "There is no such order list."}]
    assert stranger.execute(UPDATE, {"id": str(weekly.pk), "name": "Mine"})["data"]["orderListUpdate"]["errors"] == not_found
    assert stranger.execute(DELETE, {"id": str(weekly.pk)})["data"]["orderListDelete"]["errors"] == not_found
    assert stranger.execute(TO_CART, {"id": str(weekly.pk)})["data"]["orderListAddToCart"]["errors"] == not_found
    reorder = stranger.execute(REORDER, {"number": "DM00000008"})["data"]["orderReorder"]
    assert reorder["errors"] == [{"field": "number", "code": "NOT_FOUND", "message": "There is no such order."}]
    assert not CartLine.objects.exists()
    weekly.refresh_from_db()
    assert weekly.name == "Weekly" and weekly.lines.count() == 2


def test_anonymous_callers_are_refused(graphql, shop, dealer_a):
    weekly = weekly_of(dealer_a, shop)
    anonymous = graphql()
    answer = anonymous.execute(LISTS)
    assert answer["data"] is None and answer["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    for query, variables, name in (
        (CREATE, {"name": "X"}, "orderListCreate"),
        (UPDATE, {"id": str(weekly.pk), "name": "X"}, "orderListUpdate"),
        (DELETE, {"id": str(weekly.pk)}, "orderListDelete"),
        (TO_CART, {"id": str(weekly.pk)}, "orderListAddToCart"),
        (REORDER, {"number": "DM00000001"}, "orderReorder"),
    ):
        assert [e["code"] for e in anonymous.execute(query, variables)["data"][name]["errors"]] == ["NOT_AUTHENTICATED"]
    assert OrderList.objects.get().name == "Weekly"


def test_order_lists_query_count_does_not_grow_with_lists_or_lines(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    company = dealer_a.membership.company

    def grow(count, start):
        for n in range(start, start + count):
            order_list = OrderList.objects.create(company=company, name=f"List {n:02d}", created_by=dealer_a)
            for position, variant in enumerate(shop.values(), start=1):
                OrderListLine.objects.create(order_list=order_list, variant=variant, quantity=6, position=position)

    grow(2, 0)
    with CaptureQueriesContext(connection) as few:
        assert len(api.execute(LISTS, {"first": 50})["data"]["orderLists"]["edges"]) == 2
    grow(10, 2)
    with CaptureQueriesContext(connection) as many:
        assert len(api.execute(LISTS, {"first": 50})["data"]["orderLists"]["edges"]) == 12
    assert len(few.captured_queries) == len(many.captured_queries)


def test_bad_ids_are_not_found_not_errors(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    for bad in ("abc", "-1", "99999999999999999999", "1\x00"):
        assert api.execute(ONE, {"id": bad})["data"]["orderList"] is None
        assert [e["code"] for e in api.execute(DELETE, {"id": bad})["data"]["orderListDelete"]["errors"]] == ["NOT_FOUND"]


def test_order_lists_find_a_sku_typed_in_another_case(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    created = api.execute(CREATE, {"name": "Case", "lines": [{"sku": "fix-255", "quantity": 2}, {"sku": "Box-6", "quantity": 6}]})
    payload = created["data"]["orderListCreate"]
    assert payload["errors"] == []
    assert [(line["sku"], line["quantity"]) for line in payload["orderList"]["lines"]] == [("FIX-255", 2), ("BOX-6", 6)]
    list_id = payload["orderList"]["id"]
    payload = api.execute(UPDATE, {"id": list_id, "set": [{"sku": "box-6", "quantity": 12}, {"sku": "low", "quantity": 1}]})["data"]["orderListUpdate"]
    assert [(line["sku"], line["quantity"]) for line in payload["orderList"]["lines"]] == [("FIX-255", 2), ("BOX-6", 12), ("LOW", 1)]
    twice = api.execute(UPDATE, {"id": list_id, "set": [{"sku": "LOW", "quantity": 2}, {"sku": "low", "quantity": 3}]})["data"]["orderListUpdate"]
    assert [(e["field"], e["code"]) for e in twice["errors"]] == [("lines.1.sku", "DUPLICATE_SKU")]
    payload = api.execute(UPDATE, {"id": list_id, "remove": ["Fix-255"]})["data"]["orderListUpdate"]
    assert [(line["sku"], line["quantity"]) for line in payload["orderList"]["lines"]] == [("BOX-6", 12), ("LOW", 1)]
