"""Price a dealer's cart: validate, price each line, then compute the totals in one place.

`price_cart` is a pure function: the same request gives the same `PricedCart`, and
permuting the request's lines changes nothing (lines and errors come out sorted by SKU).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .money import quantize
from .pipeline import LINE_STEPS, price_line
from .types import LineError, PricedCart, PricedLine, PricingRequest
from .validation import DEFAULT_MAX_LINE_QUANTITY, validate_lines

__all__ = ["price_cart"]


def price_cart(
    request: PricingRequest, max_line_quantity: int = DEFAULT_MAX_LINE_QUANTITY
) -> PricedCart:
    """Price every valid line of `request`; report every problem of the others in `errors`.

    Invalid lines are left out of the totals; the cart is `ok` only without errors.
    """
    checked = validate_lines(request.lines, request.items, request.currency, max_line_quantity)
    lines = tuple(
        price_line(item, quantity, request, LINE_STEPS) for item, quantity in checked.valid
    )
    order_discount = _order_discount(lines, request)
    tax = _tax(lines, request)
    return _totals(request.currency, lines, order_discount, tax, checked.errors)


def _order_discount(lines: tuple[PricedLine, ...], request: PricingRequest) -> Decimal:
    """Order-level discounts (满减 full reduction, vouchers, rebate use): none yet.

    They come here in a later release, as a positive amount taken off the subtotal; each is
    spread over the lines by largest remainder so that the lines' shares add up to it exactly.
    """
    return Decimal(0)


def _tax(lines: tuple[PricedLine, ...], request: PricingRequest) -> Decimal:
    """No tax model yet: tax is zero, but it has its own field and its own place."""
    return Decimal(0)


def _sum(amounts: Iterable[Decimal], currency: str) -> Decimal:
    return quantize(sum(amounts, Decimal(0)), currency)


def _totals(
    currency: str,
    lines: tuple[PricedLine, ...],
    order_discount: Decimal,
    tax: Decimal,
    errors: tuple[LineError, ...],
) -> PricedCart:
    """The one place where totals are made.

    subtotal = sum of line totals; discount_total = line discounts against list + order
    discount; total = subtotal - order discount + tax, never below zero.
    """
    zero = quantize(Decimal(0), currency)
    subtotal = _sum((line.line_total for line in lines), currency)
    order_discount = min(quantize(order_discount, currency), subtotal)
    discount_total = _sum((line.discount_total for line in lines), currency) + order_discount
    tax_total = quantize(tax, currency)
    total = max(subtotal - order_discount + tax_total, zero)
    return PricedCart(
        currency=currency,
        lines=lines,
        subtotal=subtotal,
        discount_total=discount_total,
        tax_total=tax_total,
        total=total,
        errors=errors,
    )
