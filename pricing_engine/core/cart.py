"""Price a dealer's cart: validate, price each line, apply promotions, vouchers and rebate
use, then compute the totals in one place.

    base price and LINE_STEPS per line          pipeline.py
    line promotions                             line_promotions.py
    order promotions (满减, % off, gifts)        order_promotions.py
    vouchers                                    vouchers.py
    rebate credit (a payment, not a discount)   here

`price_cart` is a pure function: the same request gives the same `PricedCart`, and
permuting the request's lines changes nothing (lines and errors come out sorted by SKU).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from .allocation import Ledger, floor_share
from .line_promotions import apply_line_promotions
from .money import quantize
from .order_promotions import OrderOutcome, apply_order_promotions
from .outcomes import AppliedPromotion, OrderDiscount, VoucherError
from .pipeline import LINE_STEPS, start_line
from .types import LineError, PricedCart, PricedLine, PricingRequest
from .validation import DEFAULT_MAX_LINE_QUANTITY, validate_lines
from .vouchers import apply_vouchers

__all__ = ["price_cart"]


def price_cart(
    request: PricingRequest, max_line_quantity: int = DEFAULT_MAX_LINE_QUANTITY
) -> PricedCart:
    """Price every valid line of `request`; report every problem of the others in `errors`.

    Invalid lines are left out of the totals (and out of every threshold); the cart is `ok`
    only without errors. Voucher problems are in `voucher_errors` and do not stop the cart.
    """
    checked = validate_lines(request.lines, request.items, request.currency, max_line_quantity)
    states = [start_line(item, quantity, request, LINE_STEPS) for item, quantity in checked.valid]
    line_applied = apply_line_promotions(states, request)
    ledger = Ledger(((s.item.sku, s.line_total) for s in states), request.currency)
    order = apply_order_promotions(states, ledger, request)
    voucher_applied, voucher_errors = apply_vouchers(states, ledger, request)
    lines = tuple(s.freeze(tuple(ledger.shares[s.item.sku])) for s in states)
    tax = _tax(lines, request)
    return _totals(
        request,
        lines,
        tuple(ledger.discounts),
        tax,
        checked.errors,
        order,
        line_applied + order.applied + voucher_applied,
        voucher_errors,
    )


def _tax(lines: tuple[PricedLine, ...], request: PricingRequest) -> Decimal:
    """No tax model yet: tax is zero, but it has its own field and its own place."""
    return Decimal(0)


def _sum(amounts: Iterable[Decimal], currency: str) -> Decimal:
    return quantize(sum(amounts, Decimal(0)), currency)


def _totals(
    request: PricingRequest,
    lines: tuple[PricedLine, ...],
    order_discounts: tuple[OrderDiscount, ...],
    tax: Decimal,
    errors: tuple[LineError, ...],
    order: OrderOutcome | None = None,
    applied: Sequence[AppliedPromotion] = (),
    voucher_errors: tuple[VoucherError, ...] = (),
) -> PricedCart:
    """The one place where totals are made.

    subtotal = sum of line totals; order_discount_total = sum of the order discounts (each
    already capped by what was left of its lines); discount_total = line discounts against
    list + order_discount_total; total = subtotal - order_discount_total + tax, never below
    zero; rebate credit used = min(credit, floor(max share x total)); amount due = total -
    rebate credit used.
    """
    currency = request.currency
    zero = quantize(Decimal(0), currency)
    subtotal = _sum((line.line_total for line in lines), currency)
    order_total = _sum((d.amount for d in order_discounts), currency)
    discount_total = _sum((line.discount_total for line in lines), currency) + order_total
    tax_total = quantize(tax, currency)
    total = max(subtotal - order_total + tax_total, zero)
    rebate = min(
        floor_share(request.rebate_credit, Decimal(1), currency),  # never more than is held
        floor_share(total, request.rebate_max_share, currency),
    )
    return PricedCart(
        currency=currency,
        lines=lines,
        subtotal=subtotal,
        discount_total=discount_total,
        tax_total=tax_total,
        total=total,
        errors=errors,
        order_discounts=order_discounts,
        order_discount_total=order_total,
        gift_lines=order.gift_lines if order else (),
        applied=tuple(applied),
        nudges=order.nudges if order else (),
        voucher_errors=voucher_errors,
        notes=order.notes if order else (),
        rebate_credit_used=rebate,
        amount_due=total - rebate,
    )
