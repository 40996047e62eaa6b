"""The contract of the storefront API: the names clients rely on are in the schema."""

from mall.schema import schema
from storefront.models import Order

SDL = str(schema)


def test_contract_names_are_in_the_schema():
    for name in [
        "tokenCreate(email: String!, password: String!): TokenCreate",
        "me: User",
        "products(",
        "product(sku: String!): Product",
        "cart: Cart",
        "cartAddLines(lines: [CartLineInput!]!)",
        "cartUpdateLines(lines: [CartLineInput!]!)",
        "cartRemoveLines(skus: [String!]!)",
        "orders(first: Int, after: String): OrderConnection",
        "order(number: String!): Order",
        "input CartLineInput {\n  sku: String!\n  quantity: Int!\n}",
        "amount: Decimal!",
    ]:
        assert name in SDL, name


def test_checkout_complete_takes_the_contract_arguments():
    field = schema.graphql_schema.mutation_type.fields["checkoutComplete"]
    assert str(field.args["idempotencyKey"].type) == "String!"
    assert str(field.args["paymentMethod"].type) == "PaymentMethodEnum"
    assert field.args["paymentMethod"].default_value == "on_account"  # ON_ACCOUNT in the SDL
    assert str(field.args["expectedTotal"].type) == "Decimal"  # optional: the total the buyer saw


def test_enums_follow_the_model_choices():
    enum = schema.graphql_schema.get_type("PaymentMethodEnum")
    assert set(enum.values) == {c.name for c in Order.PaymentMethod}
    status = schema.graphql_schema.get_type("OrderStatusEnum")
    assert set(status.values) == {c.name for c in Order.Status}


def test_money_is_never_a_float():
    assert "Float" not in SDL
