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
    net_total: Decimal | None = None
    waterfall: tuple = ()  # core WaterfallSteps
    adjustments: tuple = ()  # core LineAdjustments: line adjustments, then order shares


@dataclass(frozen=True)
class GiftLineView:
    sku: str
    name: str
    quantity: int


@dataclass(frozen=True)
class CartView:
    currency: str
    lines: list[CartLineView]
    subtotal: Decimal
    total: Decimal
    errors: list = field(default_factory=list)
    order_discounts: tuple = ()  # core OrderDiscounts
    order_discount_total: Decimal = Decimal(0)
    voucher_codes: tuple[str, ...] = ()
    voucher_errors: list = field(default_factory=list)
    nudges: tuple = ()  # core Nudges
    gift_lines: list[GiftLineView] = field(default_factory=list)


class WaterfallStep(graphene.ObjectType):
    """One step of a line's unit price: list, tier or contract, volume break, promotion."""

    kind = graphene.String(required=True, description="list, tier, contract, break or promotion.")
    label = graphene.String(required=True)
    unit_price = graphene.Field(Money, required=True, description="The unit price after this step.")
    change = graphene.Field(Money, required=True, description="Per-unit change of this step (negative: cheaper).")

    @staticmethod
    def resolve_unit_price(root, info):
        return money(root.unit_price, root.currency)

    @staticmethod
    def resolve_change(root, info):
        return money(root.change, root.currency)


class Adjustment(graphene.ObjectType):
    """An amount taken off a line: a line promotion that is not per unit (buy X get Y), or the
    line's share of an order discount or voucher."""

    name = graphene.String(required=True)
    kind = graphene.String(required=True)
    amount = graphene.Field(Money, required=True)

    @staticmethod
    def resolve_amount(root, info):
        return money(root.amount, root.currency)


class OrderDiscount(graphene.ObjectType):
    """An order promotion or voucher that gave something, and how much."""

    name = graphene.String(required=True)
    kind = graphene.String(required=True)
    level = graphene.String(description="order or voucher (orders only).")
    amount = graphene.Field(Money, required=True)

    @staticmethod
    def resolve_amount(root, info):
        return money(root.amount, root.currency)


class Nudge(graphene.ObjectType):
    """An order promotion not reached yet: spend `amountMissing` more to get `reward`."""

    promotion_name = graphene.String(required=True)
    amount_missing = graphene.Field(Money, required=True)
    reward = graphene.Field(Money, required=True, description="The discount, or the gift's value at list price.")
    message = graphene.String(required=True, description='For example "add 50.00 to get 30.00 off".')

    @staticmethod
    def resolve_amount_missing(root, info):
        return money(root.amount_missing, root.currency)

    @staticmethod
    def resolve_reward(root, info):
        return money(root.reward, root.currency)


class GiftLine(graphene.ObjectType):
    """A free line given by a gift promotion (not in `lines` nor in the totals)."""

    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    quantity = graphene.Int(required=True)


@dataclass(frozen=True)
class _Priced:
    """A core value with the currency its amounts are in (what the Money fields need)."""

    value: object
    currency: str

    def __getattr__(self, name):
        return getattr(self.value, name)


def with_currency(values, currency: str) -> list[_Priced]:
    return [_Priced(v, currency) for v in values]


class CartLine(graphene.ObjectType):
    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    unit_price = graphene.Field(Money, description="Null while the line cannot be priced (see cart.errors).")
    line_total = graphene.Field(Money, description="Unit price x quantity less the line adjustments.")
    net_total = graphene.Field(Money, description="Line total less its shares of the order discounts.")
    waterfall = graphene.List(graphene.NonNull(WaterfallStep), required=True)
    adjustments = graphene.List(
        graphene.NonNull(Adjustment), required=True, description="Line adjustments, then shares of order discounts."
    )

    @staticmethod
    def resolve_unit_price(root, info):
        return money(root.unit_price, root.currency)

    @staticmethod
    def resolve_line_total(root, info):
        return money(root.line_total, root.currency)

    @staticmethod
    def resolve_net_total(root, info):
        return money(root.net_total, root.currency)

    @staticmethod
    def resolve_waterfall(root, info):
        return with_currency(root.waterfall, root.currency)

    @staticmethod
    def resolve_adjustments(root, info):
        return with_currency(root.adjustments, root.currency)


class Cart(graphene.ObjectType):
    """The signed-in buyer's cart, priced live at the dealer's prices."""

    lines = graphene.List(graphene.NonNull(CartLine), required=True)
    subtotal = graphene.Field(Money, required=True)
    order_discounts = graphene.List(graphene.NonNull(OrderDiscount), required=True)
    order_discount_total = graphene.Field(Money, required=True, description="Order promotions and vouchers.")
    total = graphene.Field(Money, required=True, description="Subtotal less order discounts, plus tax.")
    errors = graphene.List(
        graphene.NonNull(Error), required=True, description="Lines that cannot be ordered as they are."
    )
    voucher_codes = graphene.List(graphene.NonNull(graphene.String), required=True)
    voucher_errors = graphene.List(
        graphene.NonNull(Error), required=True, description="Codes on the cart that do not apply now (checkout refuses them)."
    )
    nudges = graphene.List(graphene.NonNull(Nudge), required=True)
    gift_lines = graphene.List(graphene.NonNull(GiftLine), required=True)

    @staticmethod
    def resolve_subtotal(root, info):
        return money(root.subtotal, root.currency)

    @staticmethod
    def resolve_total(root, info):
        return money(root.total, root.currency)

    @staticmethod
    def resolve_order_discounts(root, info):
        return with_currency(root.order_discounts, root.currency)

    @staticmethod
    def resolve_order_discount_total(root, info):
        return money(root.order_discount_total, root.currency)

    @staticmethod
    def resolve_nudges(root, info):
        return with_currency(root.nudges, root.currency)


class OrderLine(graphene.ObjectType):
    line_number = graphene.Int(required=True)
    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    list_price = graphene.Field(Money, required=True)
    unit_price = graphene.Field(Money, required=True)
    discount_total = graphene.Field(Money, required=True)
    line_total = graphene.Field(Money, required=True)
    is_gift = graphene.Boolean(required=True, description="A free line given by a gift promotion.")
    adjustments = graphene.List(
        graphene.NonNull(Adjustment), required=True, description="Line adjustments and shares of order discounts, as placed."
    )

    @staticmethod
    def resolve_name(root, info):
        return root.product_name

    @staticmethod
    def resolve_adjustments(root, info):
        return [_snapshot(a, root.order.currency) for a in root.adjustments or []]

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
    order_discount_total = graphene.Field(Money, required=True)
    discounts = graphene.List(
        graphene.NonNull(OrderDiscount), required=True, description="Order promotions and vouchers, as placed."
    )
    total = graphene.Field(Money, required=True)
    # Rebates: the part of the total paid from the rebate wallet at checkout.
    rebate_credit_used = graphene.Field(Money, required=True, description="Paid from the rebate wallet at checkout.")
    lines = graphene.List(graphene.NonNull(OrderLine), required=True)
    # What the buyer gave at checkout (empty strings and null when not given).
    po_number = graphene.String(required=True, description="The dealer's purchase-order number.")
    requested_delivery_date = graphene.Date(description="The delivery date the buyer asked for.")
    note = graphene.String(required=True, description="The buyer's note to the vendor.")

    @staticmethod
    def resolve_rebate_credit_used(root, info):
        return money(root.rebate_credit_used, root.currency)

    @staticmethod
    def resolve_order_discount_total(root, info):
        return money(root.order_discount_total, root.currency)

    @staticmethod
    def resolve_discounts(root, info):
        return [_snapshot(d, root.currency) for d in root.discounts or []]

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


@dataclass(frozen=True)
class _Snapshot:
    name: str
    kind: str
    level: str | None
    amount: Decimal
    currency: str


def _snapshot(entry: dict, currency: str) -> _Snapshot:
    """A discount or adjustment as the order's snapshot froze it (amounts stored as strings)."""
    return _Snapshot(
        name=str(entry.get("name", "")),
        kind=str(entry.get("kind", "")),
        level=entry.get("level"),
        amount=Decimal(str(entry.get("amount", "0"))),
        currency=currency,
    )


class OrderEdge(graphene.ObjectType):
    node = graphene.Field(Order, required=True)
    cursor = graphene.String(required=True)


class OrderConnection(CountedConnection):
    edges = graphene.List(graphene.NonNull(OrderEdge), required=True)


class CartLineInput(graphene.InputObjectType):
    sku = graphene.String(required=True)
    quantity = graphene.Int(required=True)
