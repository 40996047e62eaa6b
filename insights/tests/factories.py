"""A small sales history made with the project factories, for the insights tests."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from storefront.models import Order, Return, ReturnLine
from tests.factories import OrderFactory, OrderLineFactory

LONDON = ZoneInfo("Europe/London")


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    """A moment on a vendor-calendar day (Europe/London, the settings' TIME_ZONE)."""
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=LONDON)


def order(company, placed_at, lines, *, status=Order.Status.COMPLETED, order_discount="0.00", discounts=None):
    """An order with lines given as (variant, quantity, unit price[, list price[, waterfall]])."""
    subtotal = Decimal(0)
    discount = Decimal(0)
    built = []
    for number, spec in enumerate(lines, start=1):
        variant, quantity, unit = spec[0], spec[1], Decimal(spec[2])
        list_price = Decimal(spec[3]) if len(spec) > 3 else unit
        waterfall = spec[4] if len(spec) > 4 else []
        line_total = unit * quantity
        subtotal += line_total
        discount += list_price * quantity - line_total
        built.append((number, variant, quantity, unit, list_price, line_total, waterfall))
    placed = OrderFactory(
        company=company,
        placed_at=placed_at,
        status=status,
        subtotal=subtotal,
        discount_total=discount + Decimal(order_discount),
        order_discount_total=Decimal(order_discount),
        total=subtotal - Decimal(order_discount),
        discounts=discounts or [],
    )
    for number, variant, quantity, unit, list_price, line_total, waterfall in built:
        OrderLineFactory(
            order=placed, line_number=number, variant=variant, sku=variant.sku, product_name=variant.product.name,
            quantity=quantity, unit_price=unit, list_price=list_price, line_total=line_total,
            discount_total=list_price * quantity - line_total, waterfall=waterfall,
        )  # fmt: skip
    return placed


def returned(company, placed_at, lines, *, number: str):
    """A completed return of (variant, quantity, unit price) lines."""
    total = sum((Decimal(p) * q for _, q, p in lines), Decimal(0))
    back = Return.objects.create(
        number=number, company=company, status=Return.Status.COMPLETED, currency="GBP", total=total, placed_at=placed_at
    )
    for n, (variant, quantity, price) in enumerate(lines, start=1):
        ReturnLine.objects.create(
            return_request=back, line_number=n, variant=variant, sku=variant.sku, product_name=variant.product.name,
            quantity=quantity, unit_price=Decimal(price), line_total=Decimal(price) * quantity,
        )  # fmt: skip
    return back
