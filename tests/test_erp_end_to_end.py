"""The walking skeleton end to end: a dealer signs in, finds a product at its tier price,
orders it through the GraphQL API, and the ERP (a real HTTP server on 127.0.0.1) receives a
correctly signed order.confirmed and stock.updated whose payloads match docs/webhooks/."""

import json
from decimal import Decimal

import pytest
from jsonschema import Draft202012Validator

from catalog.models import Variant
from catalog.services import receive_stock
from integrations.events import schema_path
from integrations.models import Delivery
from integrations.services import add_endpoint
from integrations.signing import verify
from tests.erp_receiver import Receiver
from tests.factories import (
    PASSWORD,
    CompanyFactory,
    PriceListFactory,
    RegionFactory,
    TierFactory,
    UserFactory,
    VariantFactory,
)

SECRET = "erp-secret with spaces & $ymbols"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def erp():
    server = Receiver().start()
    yield server
    server.stop()


def _gql(client, query, variables=None, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = client.post(
        "/graphql/", json.dumps({"query": query, "variables": variables or {}}), content_type="application/json", **headers
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_dealer_orders_at_tier_price_and_the_erp_hears_of_it(client, erp):
    gold = TierFactory(code="GOLD", name="Gold")
    PriceListFactory(tier=gold, name="Gold price list", default_discount_percent=Decimal("10"))
    dealer = CompanyFactory(code="17850", name="Heart Gifts Ltd", tier=gold, region=RegionFactory(code="united-kingdom", name="United Kingdom"))
    UserFactory(email="buyer@heart.example", company=dealer)
    VariantFactory(sku="85123A", list_price=Decimal("2.55"), stock=100, product__name="WHITE HANGING HEART T-LIGHT HOLDER")
    add_endpoint(erp.url, SECRET, ["order.confirmed", "stock.updated"])

    token = _gql(
        client,
        "mutation ($email: String!, $password: String!) { tokenCreate(email: $email, password: $password) { token } }",
        {"email": "buyer@heart.example", "password": PASSWORD},
    )["tokenCreate"]["token"]
    found = _gql(client, '{ products(first: 5, search: "85123A") { edges { node { sku pricing { price { amount } } } } } }', token=token)
    assert found["products"]["edges"][0]["node"]["pricing"]["price"]["amount"] in ("2.30", 2.3)  # 2.55 less 10% = 2.295 -> 2.30

    _gql(client, 'mutation { cartAddLines(lines: [{sku: "85123A", quantity: 12}]) { errors { code } } }', token=token)
    placed = _gql(
        client,
        'mutation { checkoutComplete(idempotencyKey: "po-4711") { order { number total { amount currency } } errors { code message } } }',
        token=token,
    )["checkoutComplete"]
    assert placed["errors"] == []
    assert Decimal(str(placed["order"]["total"]["amount"])) == Decimal("27.60")  # 12 × 2.30

    # Delivered in-process after commit (no broker in tests): one POST per event.
    assert Delivery.objects.filter(state=Delivery.State.DELIVERED).count() == 2
    by_type = {r.headers["x-mall-event"]: r for r in erp.requests}
    assert set(by_type) == {"order.confirmed", "stock.updated"}
    for request in erp.requests:
        assert verify(SECRET, request.body, request.headers["x-mall-signature"])
        assert request.headers["x-mall-event-id"] == request.json()["id"]
        schema = json.loads(schema_path(request.headers["x-mall-event"]).read_text())
        Draft202012Validator(schema).validate(request.json())

    order = by_type["order.confirmed"].json()["data"]["order"]
    assert order["number"] == placed["order"]["number"]
    assert order["dealer"] == {"id": str(dealer.pk), "code": "17850", "name": "Heart Gifts Ltd", "tier": "GOLD", "region": "United Kingdom"}
    assert order["lines"] == [
        {"line": 1, "sku": "85123A", "name": "WHITE HANGING HEART T-LIGHT HOLDER", "quantity": 12,
         "list_price": "2.55", "unit_price": "2.30", "discount": "3.00", "line_total": "27.60", "is_gift": False}
    ]
    assert (order["subtotal"], order["order_discount_total"], order["tax_total"], order["total"]) == ("27.60", "0.00", "0.00", "27.60")
    assert order["discounts"] == []
    stock = by_type["stock.updated"].json()["data"]
    assert (stock["sku"], stock["quantity_on_hand"], stock["quantity_allocated"], stock["quantity_available"]) == ("85123A", 100, 12, 88)
    assert stock["reason"] == "order_confirmed"


def test_a_tampered_body_fails_verification(client, erp):
    VariantFactory(sku="22423", list_price=Decimal("12.75"), stock=10)
    user = UserFactory(company=CompanyFactory())
    add_endpoint(erp.url, SECRET, ["stock.updated"])
    receive_stock({Variant.objects.get(sku="22423").pk: 5})
    (request,) = erp.requests
    assert verify(SECRET, request.body, request.headers["x-mall-signature"])
    assert not verify(SECRET, request.body.replace(b"15", b"99"), request.headers["x-mall-signature"])
    assert not verify("another secret", request.body, request.headers["x-mall-signature"])
    assert user  # the dealer exists; stock changes reach the ERP without any order
