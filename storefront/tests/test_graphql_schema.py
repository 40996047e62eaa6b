"""The contract of the storefront API: the names clients rely on are in the schema."""

from graphql import get_named_type, is_input_object_type, is_interface_type, is_object_type

from mall.schema import schema
from storefront.models import Order

SDL = str(schema)


def test_contract_names_are_in_the_schema():
    for name in [
        "me: User",
        "products(",
        "product(sku: String!): Product",
        "cart: Cart",
        "cartUpdateLines(lines: [CartLineInput!]!)",
        "cartRemoveLines(skus: [String!]!)",
        "orders(first: Int, after: String): OrderConnection",
        "order(number: String!): Order",
        "input CartLineInput {\n  sku: String!\n  quantity: Int!\n}",
        "amount: Decimal!",
    ]:
        assert name in SDL, name


def test_token_create_keeps_its_contract_arguments():
    field = schema.graphql_schema.mutation_type.fields["tokenCreate"]
    assert {name: str(arg.type) for name, arg in field.args.items()} == {
        "email": "String!", "password": "String!", "otpCode": "String"  # otpCode: staff two-factor, optional
    }
    assert str(field.type) == "TokenCreate"


def test_checkout_complete_takes_the_contract_arguments():
    field = schema.graphql_schema.mutation_type.fields["checkoutComplete"]
    assert str(field.args["idempotencyKey"].type) == "String!"
    assert str(field.args["paymentMethod"].type) == "PaymentMethodEnum"
    assert field.args["paymentMethod"].default_value == "on_account"  # ON_ACCOUNT in the SDL
    assert str(field.args["expectedTotal"].type) == "Decimal"  # optional: the total the buyer saw


def test_cart_add_lines_keeps_its_contract_arguments():
    """`lines` as always; `idempotencyKey` is optional, so clients that never send it keep working."""
    field = schema.graphql_schema.mutation_type.fields["cartAddLines"]
    assert {name: str(arg.type) for name, arg in field.args.items()} == {
        "lines": "[CartLineInput!]!", "idempotencyKey": "String"
    }


def test_enums_follow_the_model_choices():
    enum = schema.graphql_schema.get_type("PaymentMethodEnum")
    assert set(enum.values) == {c.name for c in Order.PaymentMethod}
    status = schema.graphql_schema.get_type("OrderStatusEnum")
    assert set(status.values) == {c.name for c in Order.Status}


def test_money_is_never_a_float():
    """No field or argument anywhere is a Float (descriptions may say the word)."""
    floats = []
    for type_ in schema.graphql_schema.type_map.values():
        if type_.name.startswith("__") or not (is_object_type(type_) or is_interface_type(type_) or is_input_object_type(type_)):
            continue
        for name, field in type_.fields.items():
            if get_named_type(field.type).name == "Float":
                floats.append(f"{type_.name}.{name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if get_named_type(arg.type).name == "Float":
                    floats.append(f"{type_.name}.{name}({arg_name})")
    assert floats == []
