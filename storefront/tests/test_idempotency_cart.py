"""Idempotency keys of the cart mutations (cartAddLines, quickOrderAdd, orderListAddToCart,
orderListCreate): a retry with the same key changes nothing and answers the same; the key
with another input is IDEMPOTENCY_KEY_REUSED; without a key they work as before.

Worked by hand: SKU 85123A is 2.55 list, Gold pays 10% off: 2.295 -> 2.30 a unit below 10
units; 4 units are 9.20, 8 units 18.40.
"""

import pytest

from security.models import IdempotentRequest
from storefront.models import CartLine, OrderList
from storefront.services.order_lists import create_with_lines
from storefront.tests.conftest import make_user
from tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db

ADD = """mutation($lines: [CartLineInput!]!, $key: String) {
  cartAddLines(lines: $lines, idempotencyKey: $key) {
    cart { lines { sku quantity } total { amount currency } } errors { field code message } } }"""
QUICK = """mutation($lines: [CartLineInput!]!, $key: String) {
  quickOrderAdd(lines: $lines, idempotencyKey: $key) {
    cart { lines { sku quantity } } lines { line sku quantity added errors { field code } } errors { field code } } }"""
LIST_TO_CART = """mutation($id: ID!, $key: String) {
  orderListAddToCart(id: $id, idempotencyKey: $key) { cart { lines { sku quantity } } lines { sku added } errors { code } } }"""
LIST_CREATE = """mutation($name: String!, $lines: [CartLineInput!], $key: String) {
  orderListCreate(name: $name, lines: $lines, idempotencyKey: $key) {
    orderList { id name lines { sku quantity } } errors { field code message } } }"""


def cart_of(user) -> dict[str, int]:
    return {line.variant.sku: line.quantity for line in CartLine.objects.filter(cart__user=user).select_related("variant")}


def add(api, quantity, key=None):
    return api.execute(ADD, {"lines": [{"sku": "85123A", "quantity": quantity}], "key": key})["data"]["cartAddLines"]


def test_cart_add_lines_retried_with_the_same_key_adds_once_and_answers_the_same(graphql, buyer, variant):
    api = graphql(buyer)
    first = add(api, 4, "add-1")
    assert first == {"cart": {"lines": [{"sku": "85123A", "quantity": 4}], "total": {"amount": "9.20", "currency": "GBP"}}, "errors": []}
    assert add(api, 4, "add-1") == first
    assert cart_of(buyer) == {"85123A": 4}
    assert IdempotentRequest.objects.filter(user=buyer, mutation="cartAddLines", key="add-1").count() == 1


def test_cart_add_lines_with_the_key_of_another_input_is_refused_and_changes_nothing(graphql, buyer, variant):
    api = graphql(buyer)
    add(api, 4, "add-1")
    answer = add(api, 2, "add-1")
    assert answer["cart"] is None
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    assert cart_of(buyer) == {"85123A": 4}


def test_cart_add_lines_without_a_key_adds_each_time(graphql, buyer, variant):
    api = graphql(buyer)
    add(api, 4)
    assert add(api, 4)["cart"]["total"] == {"amount": "18.40", "currency": "GBP"}
    assert cart_of(buyer) == {"85123A": 8}
    assert not IdempotentRequest.objects.exists()


def test_a_refused_add_keeps_no_key_so_the_corrected_request_may_use_it(graphql, buyer, variant):
    api = graphql(buyer)
    refused = api.execute(ADD, {"lines": [{"sku": "NOPE-1", "quantity": 1}], "key": "add-2"})["data"]["cartAddLines"]
    assert [e["code"] for e in refused["errors"]] == ["UNKNOWN_SKU"]
    assert not IdempotentRequest.objects.exists()
    assert add(api, 4, "add-2")["errors"] == []
    assert cart_of(buyer) == {"85123A": 4}


@pytest.mark.parametrize("key", ["", "   ", "k" * 129, "a\x00b"])
def test_a_bad_key_is_invalid_and_nothing_is_added(graphql, buyer, variant, key):
    answer = add(graphql(buyer), 4, key)
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [("idempotencyKey", "INVALID")]
    assert cart_of(buyer) == {} and not IdempotentRequest.objects.exists()


def test_a_key_of_128_characters_is_taken(graphql, buyer, variant):
    api = graphql(buyer)
    add(api, 4, "k" * 128)
    add(api, 4, "k" * 128)
    assert cart_of(buyer) == {"85123A": 4}


def test_quick_order_add_retried_answers_the_same_lines_and_adds_once(graphql, buyer, variant):
    api = graphql(buyer)
    variables = {"lines": [{"sku": "85123A", "quantity": 4}, {"sku": "NOPE-1", "quantity": 1}], "key": "quick-1"}
    first = api.execute(QUICK, variables)["data"]["quickOrderAdd"]
    assert first["lines"] == [
        {"line": 1, "sku": "85123A", "quantity": 4, "added": True, "errors": []},
        {"line": 2, "sku": "NOPE-1", "quantity": 1, "added": False, "errors": [{"field": "lines.1.sku", "code": "UNKNOWN_SKU"}]},
    ]
    assert first["errors"] == [{"field": "lines.1.sku", "code": "UNKNOWN_SKU"}]
    assert api.execute(QUICK, variables)["data"]["quickOrderAdd"] == first
    assert cart_of(buyer) == {"85123A": 4}
    other = api.execute(QUICK, {**variables, "lines": [{"sku": "85123A", "quantity": 5}]})["data"]["quickOrderAdd"]
    assert (other["cart"], other["lines"], other["errors"]) == (None, [], [{"field": "idempotencyKey", "code": "IDEMPOTENCY_KEY_REUSED"}])
    assert cart_of(buyer) == {"85123A": 4}
    api.execute(QUICK, {"lines": [{"sku": "85123A", "quantity": 4}]})
    assert cart_of(buyer) == {"85123A": 8}  # no key: added again


def test_order_list_add_to_cart_retried_adds_once(graphql, buyer, company, variant):
    order_list = create_with_lines(buyer, company, "Weekly", [("85123A", 3)])
    api = graphql(buyer)
    variables = {"id": str(order_list.pk), "key": "list-1"}
    first = api.execute(LIST_TO_CART, variables)["data"]["orderListAddToCart"]
    assert first == {"cart": {"lines": [{"sku": "85123A", "quantity": 3}]}, "lines": [{"sku": "85123A", "added": True}], "errors": []}
    assert api.execute(LIST_TO_CART, variables)["data"]["orderListAddToCart"] == first
    assert cart_of(buyer) == {"85123A": 3}
    api.execute(LIST_TO_CART, {"id": str(order_list.pk)})
    assert cart_of(buyer) == {"85123A": 6}


def test_order_list_create_retried_answers_the_list_it_made(graphql, buyer, company, variant):
    api = graphql(buyer)
    variables = {"name": "Weekly", "lines": [{"sku": "85123A", "quantity": 3}], "key": "list-new"}
    first = api.execute(LIST_CREATE, variables)["data"]["orderListCreate"]
    assert first["errors"] == [] and first["orderList"]["name"] == "Weekly"
    assert api.execute(LIST_CREATE, variables)["data"]["orderListCreate"] == first  # not NAME_TAKEN
    assert OrderList.objects.filter(company=company).count() == 1
    other = api.execute(LIST_CREATE, {**variables, "name": "Monthly"})["data"]["orderListCreate"]
    assert (other["orderList"], [e["code"] for e in other["errors"]]) == (None, ["IDEMPOTENCY_KEY_REUSED"])
    without = api.execute(LIST_CREATE, {"name": "Weekly", "lines": []})["data"]["orderListCreate"]
    assert [e["code"] for e in without["errors"]] == ["NAME_TAKEN"]  # as before
    assert OrderList.objects.filter(company=company).count() == 1


def test_another_user_with_the_same_key_gets_its_own_fresh_answer(graphql, buyer, company, variant):
    colleague = make_user("second@acme.example", company)
    add(graphql(buyer), 4, "shared-key")
    answer = add(graphql(colleague), 2, "shared-key")
    assert answer == {"cart": {"lines": [{"sku": "85123A", "quantity": 2}], "total": {"amount": "4.60", "currency": "GBP"}}, "errors": []}
    assert cart_of(buyer) == {"85123A": 4} and cart_of(colleague) == {"85123A": 2}
    assert IdempotentRequest.objects.filter(key="shared-key").count() == 2


REORDER = """mutation($number: String!, $key: String) { orderReorder(number: $number, idempotencyKey: $key) {
  cart { lines { sku quantity } } lines { line sku added errors { code } } errors { code } } }"""


def test_order_reorder_retried_adds_once_and_answers_the_same_lines(graphql, buyer, company, variant):
    order = OrderFactory(company=company, user=buyer, number="DM00000042")
    OrderLineFactory(order=order, line_number=1, variant=variant, sku="85123A", quantity=4)
    OrderLineFactory(order=order, line_number=2, variant=None, sku="OLD-1", quantity=2)
    api = graphql(buyer)
    variables = {"number": "DM00000042", "key": "re-1"}
    first = api.execute(REORDER, variables)["data"]["orderReorder"]
    assert first["lines"] == [
        {"line": 1, "sku": "85123A", "added": True, "errors": []},
        {"line": 2, "sku": "OLD-1", "added": False, "errors": [{"code": "UNKNOWN_SKU"}]},
    ]
    assert api.execute(REORDER, variables)["data"]["orderReorder"] == first
    assert cart_of(buyer) == {"85123A": 4}
    api.execute(REORDER, {"number": "DM00000042"})
    assert cart_of(buyer) == {"85123A": 8}
