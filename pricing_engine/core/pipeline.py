"""The line pipeline: a line starts at its base price and each step may lower its unit price,
appending one entry to the line's waterfall.

    base price (list -> contract/tier -> volume break)      base_price.py
    -> LINE_STEPS, in order                                 line promotions, later
    -> order-level steps over all lines                     cart.py (满减, vouchers, later)

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
from .types import CatalogItem, PricedLine, PricingRequest, WaterfallStep

__all__ = ["LINE_STEPS", "LineState", "LineStep", "price_line"]


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

    def apply(self, kind: str, label: str, new_unit_price: Decimal) -> None:
        """Set a new unit price (rounded, never below zero) and record the step.

        A step that changes nothing is not recorded.
        """
        new_unit = max(quantize(new_unit_price, self.currency), quantize(Decimal(0), self.currency))
        if new_unit == self.unit_price:
            return
        self.waterfall.append(WaterfallStep(kind, label, new_unit, new_unit - self.unit_price))
        self.unit_price = new_unit

    def freeze(self) -> PricedLine:
        line_total = self.unit_price * self.quantity
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
    return state.freeze()
