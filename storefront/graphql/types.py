"""Cart and order shapes of the storefront API."""

from dataclasses import dataclass, field
from decimal import Decimal

import graphene

from mall.graphql_types import CountedConnection, Error, Money, money
from storefront.models import Order as OrderModel

# Made from the model's choices, so a new status or payment method appears here by itself.
OrderStatusEnum = graphene.Enum("OrderStatusEnum", [(c.name, c.value) for c in OrderModel.Status])
PaymentMethodEnum = graphene.Enum("PaymentMethodEnum", [(c.name, c.value) for c in OrderModel.PaymentMethod])


@dataclass(frozen=True)
class CartLineView:
    sku: str
    name: str
    quantity: int
    currency: str
    unit_price: Decimal | None
    line_total: Decimal | None


@dataclass(frozen=True)
class CartView:
    currency: str
    lines: list[CartLineView]
    subtotal: Decimal
    total: Decimal
    errors: list = field(default_factory=list)


class CartLine(graphene.ObjectType):
    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    unit_price = graphene.Field(Money, description="Null while the line cannot be priced (see cart.errors).")
    line_total = graphene.Field(Money)

    @staticmethod
    def resolve_unit_price(root, info):
        return money(root.unit_price, root.currency)

    @staticmethod
    def resolve_line_total(root, info):
        return money(root.line_total, root.currency)


class Cart(graphene.ObjectType):
    """The signed-in buyer's cart, priced live at the dealer's prices."""

    lines = graphene.List(graphene.NonNull(CartLine), required=True)
    subtotal = graphene.Field(Money, required=True)
    total = graphene.Field(Money, required=True)
    errors = graphene.List(
        graphene.NonNull(Error), required=True, description="Lines that cannot be ordered as they are."
    )

    @staticmethod
    def resolve_subtotal(root, info):
        return money(root.subtotal, root.currency)

    @staticmethod
    def resolve_total(root, info):
        return money(root.total, root.currency)


class OrderLine(graphene.ObjectType):
    line_number = graphene.Int(required=True)
    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    list_price = graphene.Field(Money, required=True)
    unit_price = graphene.Field(Money, required=True)
    discount_total = graphene.Field(Money, required=True)
    line_total = graphene.Field(Money, required=True)

    @staticmethod
    def resolve_name(root, info):
        return root.product_name

    @staticmethod
    def resolve_list_price(root, info):
        return money(root.list_price, root.order.currency)

    @staticmethod
    def resolve_unit_price(root, info):
        return money(root.unit_price, root.order.currency)

    @staticmethod
    def resolve_discount_total(root, info):
        return money(root.discount_total, root.order.currency)

    @staticmethod
    def resolve_line_total(root, info):
        return money(root.line_total, root.order.currency)


class Order(graphene.ObjectType):
    """A placed order: a frozen snapshot of its prices."""

    number = graphene.String(required=True)
    status = graphene.Field(OrderStatusEnum, required=True)
    payment_method = graphene.Field(PaymentMethodEnum, required=True)
    placed_at = graphene.DateTime(required=True)
    currency = graphene.String(required=True)
    subtotal = graphene.Field(Money, required=True)
    discount_total = graphene.Field(Money, required=True)
    tax_total = graphene.Field(Money, required=True)
    total = graphene.Field(Money, required=True)
    lines = graphene.List(graphene.NonNull(OrderLine), required=True)

    @staticmethod
    def resolve_subtotal(root, info):
        return money(root.subtotal, root.currency)

    @staticmethod
    def resolve_discount_total(root, info):
        return money(root.discount_total, root.currency)

    @staticmethod
    def resolve_tax_total(root, info):
        return money(root.tax_total, root.currency)

    @staticmethod
    def resolve_total(root, info):
        return money(root.total, root.currency)

    @staticmethod
    def resolve_lines(root, info):
        return root.lines.all()  # prefetched by the resolvers that fetch orders


class OrderEdge(graphene.ObjectType):
    node = graphene.Field(Order, required=True)
    cursor = graphene.String(required=True)


class OrderConnection(CountedConnection):
    edges = graphene.List(graphene.NonNull(OrderEdge), required=True)


class CartLineInput(graphene.InputObjectType):
    sku = graphene.String(required=True)
    quantity = graphene.Int(required=True)
