"""cart and cartAddLines / cartUpdateLines / cartRemoveLines, priced live.

Worked by hand for dealer A (Gold 10% off list; contract HAM-1200 at 9.99, 20+ at 9.49):
  FIX-255 x 4 at 2.30 = 9.20; HAM-1200 x 2 at 9.99 = 19.98; subtotal = total = 29.18.
  FIX-255 + 6 more = 10 x 2.30 = 23.00.  HAM-1200 set to 20: 20 x 9.49 = 189.80.
"""

from decimal import Decimal

import pytest

from pricing_engine.models import PriceList
from storefront.models import CartLine
from tests.factories import (
    PriceBreakFactory,
    PriceListFactory,
    PriceListItemFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db

CART_FIELDS = """
  lines { sku name quantity unitPrice { amount currency } lineTotal { amount currency } }
  subtotal { amount currency } total { amount currency } errors { field code message }
"""
CART = f"{{ cart {{ {CART_FIELDS} }} }}"
ADD = f"mutation($lines: [CartLineInput!]!) {{ cartAddLines(lines: $lines) {{ cart {{ {CART_FIELDS} }} errors {{ field code message }} }} }}"
UPDATE = f"mutation($lines: [CartLineInput!]!) {{ cartUpdateLines(lines: $lines) {{ cart {{ {CART_FIELDS} }} errors {{ field code message }} }} }}"
REMOVE = f"mutation($skus: [String!]!) {{ cartRemoveLines(skus: $skus) {{ cart {{ {CART_FIELDS} }} errors {{ field code message }} }} }}"


def gbp(amount):
    return {"amount": amount, "currency": "GBP"}


@pytest.fixture
def shop(gold_list, dealer_a):
    fix = VariantFactory(sku="FIX-255", list_price=Decimal("2.55"), stock=40, product__name="Anchor fixings")
    ham = VariantFactory(sku="HAM-1200", list_price=Decimal("12.00"), stock=7, product__name="Claw hammer")
    box = VariantFactory(sku="BOX-6", list_price=Decimal("1.00"), stock=100, order_multiple=6, product__name="Boxed screws")
    PriceBreakFactory(price_list=gold_list, variant=ham, min_quantity=10, unit_price=Decimal("9.50"))
    contract = PriceListFactory(kind=PriceList.Kind.CONTRACT, company=dealer_a.membership.company)
    PriceListItemFactory(price_list=contract, variant=ham, unit_price=Decimal("9.99"))
    PriceBreakFactory(price_list=contract, variant=ham, min_quantity=20, unit_price=Decimal("9.49"))
    return {"fix": fix, "ham": ham, "box": box}


def test_empty_cart_has_no_lines_and_zero_totals(graphql, shop, dealer_a):
    assert graphql(dealer_a).execute(CART)["data"]["cart"] == {
        "lines": [], "subtotal": gbp("0.00"), "total": gbp("0.00"), "errors": []
    }


def test_add_update_remove_lines(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    result = api.execute(ADD, {"lines": [{"sku": "FIX-255", "quantity": 4}, {"sku": "HAM-1200", "quantity": 2}]})
    payload = result["data"]["cartAddLines"]
    assert payload["errors"] == []
    assert payload["cart"]["lines"] == [
        {"sku": "FIX-255", "name": "Anchor fixings", "quantity": 4, "unitPrice": gbp("2.30"), "lineTotal": gbp("9.20")},
        {"sku": "HAM-1200", "name": "Claw hammer", "quantity": 2, "unitPrice": gbp("9.99"), "lineTotal": gbp("19.98")},
    ]
    assert payload["cart"]["subtotal"] == gbp("29.18")
    assert payload["cart"]["total"] == gbp("29.18")

    cart = api.execute(ADD, {"lines": [{"sku": "FIX-255", "quantity": 6}]})["data"]["cartAddLines"]["cart"]
    assert cart["lines"][0]["quantity"] == 10
    assert cart["lines"][0]["lineTotal"] == gbp("23.00")

    cart = api.execute(UPDATE, {"lines": [{"sku": "HAM-1200", "quantity": 20}]})["data"]["cartUpdateLines"]["cart"]
    assert cart["lines"][1] == {"sku": "HAM-1200", "name": "Claw hammer", "quantity": 20,
                                "unitPrice": gbp("9.49"), "lineTotal": gbp("189.80")}
    assert cart["total"] == gbp("212.80")  # 23.00 + 189.80

    payload = api.execute(REMOVE, {"skus": ["FIX-255"]})["data"]["cartRemoveLines"]
    assert payload["errors"] == []
    assert [line["sku"] for line in payload["cart"]["lines"]] == ["HAM-1200"]
    assert api.execute(CART)["data"]["cart"]["total"] == gbp("189.80")


@pytest.mark.parametrize(
    "line,field,code",
    [
        ({"sku": "NOPE-1", "quantity": 1}, "lines.0.sku", "UNKNOWN_SKU"),
        ({"sku": "FIX-255", "quantity": 0}, "lines.0.quantity", "INVALID_QUANTITY"),
        ({"sku": "FIX-255", "quantity": -1}, "lines.0.quantity", "INVALID_QUANTITY"),
        ({"sku": "FIX-255", "quantity": 10**9}, "lines.0.quantity", "QUANTITY_TOO_LARGE"),
        ({"sku": "", "quantity": 1}, "lines.0.sku", "REQUIRED"),
        ({"sku": "FIX\x00-255", "quantity": 1}, "lines.0.sku", "UNKNOWN_SKU"),
    ],
)
def test_bad_lines_are_typed_errors_and_change_nothing(graphql, shop, dealer_a, line, field, code):
    api = graphql(dealer_a)
    api.execute(ADD, {"lines": [{"sku": "HAM-1200", "quantity": 2}]})
    payload = api.execute(ADD, {"lines": [line]})["data"]["cartAddLines"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert [(line["sku"], line["quantity"]) for line in payload["cart"]["lines"]] == [("HAM-1200", 2)]
    payload = api.execute(UPDATE, {"lines": [line]})["data"]["cartUpdateLines"]
    assert payload["errors"][0]["code"] == code
    assert CartLine.objects.get().quantity == 2


def test_one_bad_line_rejects_the_whole_add(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    payload = api.execute(ADD, {"lines": [{"sku": "FIX-255", "quantity": 3}, {"sku": "NOPE", "quantity": 1}]})
    payload = payload["data"]["cartAddLines"]
    assert [e["code"] for e in payload["errors"]] == ["UNKNOWN_SKU"]
    assert payload["cart"]["lines"] == []


def test_update_and_remove_of_a_sku_not_in_cart(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    assert api.execute(UPDATE, {"lines": [{"sku": "FIX-255", "quantity": 3}]})["data"]["cartUpdateLines"]["errors"][0]["code"] == "NOT_IN_CART"
    assert api.execute(REMOVE, {"skus": ["FIX-255"]})["data"]["cartRemoveLines"]["errors"][0]["code"] == "NOT_IN_CART"
    assert api.execute(REMOVE, {"skus": []})["data"]["cartRemoveLines"]["errors"][0]["code"] == "REQUIRED"


def test_cart_shows_why_a_line_cannot_be_ordered(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    cart = api.execute(ADD, {"lines": [{"sku": "BOX-6", "quantity": 4}]})["data"]["cartAddLines"]["cart"]
    assert cart["lines"] == [{"sku": "BOX-6", "name": "Boxed screws", "quantity": 4, "unitPrice": None, "lineTotal": None}]
    assert [e["code"] for e in cart["errors"]] == ["NOT_ORDER_MULTIPLE"]
    assert cart["total"] == gbp("0.00")


def test_cart_needs_a_dealer(graphql, shop):
    body = graphql().execute(CART)
    assert body["data"] == {"cart": None}
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    staff = UserFactory(email="staff@vendor.example", is_staff=True)
    assert graphql(staff).execute(CART)["errors"][0]["extensions"]["code"] == "NO_COMPANY"
    payload = graphql().execute(ADD, {"lines": [{"sku": "FIX-255", "quantity": 1}]})["data"]["cartAddLines"]
    assert payload == {"cart": None, "errors": [{"field": None, "code": "NOT_AUTHENTICATED", "message": payload["errors"][0]["message"]}]}
    payload = graphql(staff).execute(REMOVE, {"skus": ["FIX-255"]})["data"]["cartRemoveLines"]
    assert payload["errors"][0]["code"] == "NO_COMPANY"


def test_dealer_b_cannot_see_dealer_a_cart(graphql, shop, dealer_a, dealer_b):
    graphql(dealer_a).execute(ADD, {"lines": [{"sku": "HAM-1200", "quantity": 2}]})
    assert graphql(dealer_b).execute(CART)["data"]["cart"]["lines"] == []
    # B removing A's SKU finds nothing in its own cart; A's cart stays.
    assert graphql(dealer_b).execute(REMOVE, {"skus": ["HAM-1200"]})["data"]["cartRemoveLines"]["errors"][0]["code"] == "NOT_IN_CART"
    assert len(graphql(dealer_a).execute(CART)["data"]["cart"]["lines"]) == 1


def test_update_with_the_same_sku_twice_is_refused_not_summed(graphql, dealer_a):
    VariantFactory(sku="DUP-1", stock=50)
    api = graphql(dealer_a)
    api.execute('mutation { cartAddLines(lines: [{sku: "DUP-1", quantity: 2}]) { errors { code } } }')
    answer = api.execute(
        'mutation { cartUpdateLines(lines: [{sku: "DUP-1", quantity: 5}, {sku: "DUP-1", quantity: 7}]) '
        "{ cart { lines { sku quantity } } errors { field code } } }"
    )["data"]["cartUpdateLines"]
    assert answer["errors"] == [{"field": "lines.1.sku", "code": "DUPLICATE_SKU"}]
    assert api.execute("{ cart { lines { quantity } } }")["data"]["cart"]["lines"] == [{"quantity": 2}]


def lines_of(payload):
    return [(line["sku"], line["quantity"]) for line in payload["cart"]["lines"]]


def test_lines_of_one_sku_in_one_add_may_not_pass_the_line_cap_together(graphql, shop, dealer_a):
    VariantFactory(sku="85123A", list_price=Decimal("2.55"), stock=10, product__name="White hanging heart")
    api = graphql(dealer_a)
    api.execute(ADD, {"lines": [{"sku": "HAM-1200", "quantity": 2}]})
    # 60,000 + 60,000 = 120,000 > 100,000 (settings.MAX_LINE_QUANTITY): the second line passes it.
    payload = api.execute(ADD, {"lines": [{"sku": "85123A", "quantity": 60000}, {"sku": "85123A", "quantity": 60000}]})["data"]["cartAddLines"]
    assert payload["errors"] == [{
        "field": "lines.1.quantity", "code": "QUANTITY_TOO_LARGE",
        "message": "120000 of 85123A (all lines of this SKU together) is more than 100000, the most one line can hold.",
    }]
    assert lines_of(payload) == [("HAM-1200", 2)]  # nothing added, the rest of the cart as it was
    # Below the cap the lines are summed: 3 + 4 = 7, then 1 more = 8.
    payload = api.execute(ADD, {"lines": [{"sku": "85123A", "quantity": 3}, {"sku": "85123A", "quantity": 4}]})["data"]["cartAddLines"]
    assert payload["errors"] == [] and lines_of(payload) == [("HAM-1200", 2), ("85123A", 7)]
    payload = api.execute(ADD, {"lines": [{"sku": "85123A", "quantity": 1}]})["data"]["cartAddLines"]
    assert lines_of(payload) == [("HAM-1200", 2), ("85123A", 8)]
    # 8 in the cart + 99,993 = 100,001: refused on the line that passes the cap, with what the cart holds.
    payload = api.execute(ADD, {"lines": [{"sku": "FIX-255", "quantity": 1}, {"sku": "85123A", "quantity": 99993}]})["data"]["cartAddLines"]
    assert payload["errors"] == [{
        "field": "lines.1.quantity", "code": "QUANTITY_TOO_LARGE",
        "message": "100001 of 85123A (counting 8 already in your cart) is more than 100000, the most one line can hold.",
    }]
    assert lines_of(payload) == [("HAM-1200", 2), ("85123A", 8)]  # FIX-255 not added either
    payload = api.execute(ADD, {"lines": [{"sku": "85123A", "quantity": 99992}]})["data"]["cartAddLines"]
    assert payload["errors"] == [] and lines_of(payload) == [("HAM-1200", 2), ("85123A", 100000)]


def test_a_sku_typed_in_another_case_is_found_as_quick_order_finds_it(graphql, shop, dealer_a):
    api = graphql(dealer_a)
    payload = api.execute(ADD, {"lines": [{"sku": "fix-255", "quantity": 2}, {"sku": "Fix-255", "quantity": 1}]})["data"]["cartAddLines"]
    assert payload["errors"] == [] and lines_of(payload) == [("FIX-255", 3)]
    payload = api.execute(UPDATE, {"lines": [{"sku": "fix-255", "quantity": 5}]})["data"]["cartUpdateLines"]
    assert payload["errors"] == [] and lines_of(payload) == [("FIX-255", 5)]
    # Setting one SKU twice, in two cases, is as ambiguous as in one.
    payload = api.execute(UPDATE, {"lines": [{"sku": "FIX-255", "quantity": 1}, {"sku": "fix-255", "quantity": 9}]})["data"]["cartUpdateLines"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("lines.1.sku", "DUPLICATE_SKU")]
    payload = api.execute(REMOVE, {"skus": ["fix-255"]})["data"]["cartRemoveLines"]
    assert payload["errors"] == [] and lines_of(payload) == []
    assert graphql().execute('{ product(sku: "ham-1200") { sku name } }')["data"]["product"] == {"sku": "HAM-1200", "name": "Claw hammer"}


def test_two_skus_that_differ_only_in_case_exact_first_then_unique(graphql, shop, dealer_a):
    # The Online Retail catalog has such pairs: SKUs are unique as stored, not ignoring case.
    VariantFactory(sku="15056BL", stock=10)
    VariantFactory(sku="15056bl", stock=10)
    api = graphql(dealer_a)
    payload = api.execute(ADD, {"lines": [{"sku": "15056bl", "quantity": 1}, {"sku": "15056BL", "quantity": 2}]})["data"]["cartAddLines"]
    assert payload["errors"] == [] and sorted(lines_of(payload)) == [("15056BL", 2), ("15056bl", 1)]
    payload = api.execute(ADD, {"lines": [{"sku": "15056Bl", "quantity": 1}]})["data"]["cartAddLines"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("lines.0.sku", "UNKNOWN_SKU")]  # which one? not a guess
    payload = api.execute(REMOVE, {"skus": ["15056Bl"]})["data"]["cartRemoveLines"]
    assert payload["errors"][0]["code"] == "NOT_IN_CART" and len(lines_of(payload)) == 2
