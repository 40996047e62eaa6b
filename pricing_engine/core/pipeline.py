"""The line pipeline: a line starts at its base price and each step may lower its unit price,
appending one entry to the line's waterfall.

    base price (list -> contract/tier -> volume break)      base_price.py
    -> LINE_STEPS, in order                                 extension point, empty
    -> line promotions over all lines                       line_promotions.py
    -> order promotions, vouchers, rebate use               cart.py, order_promotions.py,
                                                            vouchers.py

A line step is a function `(state: LineState, request: PricingRequest) -> None` that calls
`state.apply(kind, label, new_unit_price)`. It must round with `quantize` (apply does it)
and must not raise the price above list. Steps never compute totals: cart.py does, once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from .base_price import base_price
from .money import quantize
from .outcomes import LineAdjustment
from .types import CatalogItem, PricedLine, PricingRequest, WaterfallStep

__all__ = ["LINE_STEPS", "LineState", "LineStep", "price_line", "start_line"]


@dataclass
class LineState:
    """A line while it is being priced (mutable, private to one `price_cart` call)."""

    item: CatalogItem
    quantity: int
    currency: str
    list_price: Decimal
    unit_price: Decimal
    source_kind: str
    source_name: str
    waterfall: list[WaterfallStep] = field(default_factory=list)
    adjustments: list[LineAdjustment] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)

    @property
    def gross(self) -> Decimal:
        """unit price x quantity, before line adjustments."""
        return self.unit_price * self.quantity

    @property
    def line_total(self) -> Decimal:
        return self.gross - sum((a.amount for a in self.adjustments), Decimal(0))

    def adjust(self, adjustment: LineAdjustment) -> Decimal:
        """Take an amount off the line as a whole, never more than is left of it; returns
        the amount taken (an adjustment of zero is not recorded)."""
        amount = min(quantize(adjustment.amount, self.currency), self.line_total)
        if amount > 0:
            self.adjustments.append(
                LineAdjustment(adjustment.name, adjustment.kind, amount, adjustment.promotion_id)
            )
            return amount
        return quantize(Decimal(0), self.currency)

    def apply(self, kind: str, label: str, new_unit_price: Decimal) -> None:
        """Set a new unit price (rounded, never below zero) and record the step.

        A step that changes nothing is not recorded.
        """
        new_unit = max(quantize(new_unit_price, self.currency), quantize(Decimal(0), self.currency))
        if new_unit == self.unit_price:
            return
        self.waterfall.append(WaterfallStep(kind, label, new_unit, new_unit - self.unit_price))
        self.unit_price = new_unit

    def freeze(self, order_shares: tuple[LineAdjustment, ...] = ()) -> PricedLine:
        line_total = self.line_total
        return PricedLine(
            sku=self.item.sku,
            quantity=self.quantity,
            list_price=self.list_price,
            unit_price=self.unit_price,
            line_total=line_total,
            discount_total=self.list_price * self.quantity - line_total,
            source_kind=self.source_kind,
            source_name=self.source_name,
            waterfall=tuple(self.waterfall),
            line_adjustments=tuple(self.adjustments),
            order_shares=order_shares,
            applied=tuple(self.applied),
        )


LineStep = Callable[[LineState, PricingRequest], None]

# Line promotions are added here, in the order they apply.
LINE_STEPS: tuple[LineStep, ...] = ()


def price_line(
    item: CatalogItem,
    quantity: int,
    request: PricingRequest,
    steps: tuple[LineStep, ...] = LINE_STEPS,
) -> PricedLine:
    """Price one validated line: its base price, then every line step."""
    return start_line(item, quantity, request, steps).freeze()


def start_line(
    item: CatalogItem,
    quantity: int,
    request: PricingRequest,
    steps: tuple[LineStep, ...] = LINE_STEPS,
) -> LineState:
    """The state of one validated line after its base price and the line steps."""
    base = base_price(item, request.sources, request.currency, request.moment, quantity)
    state = LineState(
        item=item,
        quantity=quantity,
        currency=request.currency,
        list_price=base.list_price,
        unit_price=base.unit_price,
        source_kind=base.source_kind,
        source_name=base.source_name,
        waterfall=list(base.waterfall),
    )
    for step in steps:
        step(state, request)
    return state
