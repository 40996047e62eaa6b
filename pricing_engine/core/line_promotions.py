"""Line promotions: percentage off, amount off, fixed price, quantity tiers, buy X get Y.

Over all lines of a cart (sorted by SKU), in three passes:

1. Selection, per line: every available line promotion whose scope matches the line (for
   buy X get Y with a get SKU: the get SKU's line) and that would give something on its
   own is a candidate, valued at what it gives on the line's base price (capped by its
   budget); `stacking.select` keeps those that apply.
2. Per-unit promotions, in priority order: each changes the unit price (a waterfall step
   of kind "promotion" labelled with the promotion's name), on the price the previous
   left. If the discount on a line would exceed what is left of the promotion's budget,
   the line gets what is left as a line adjustment instead (pass 3), and later lines none.
3. Line adjustments: budget-capped remainders of pass 2, then buy X get Y promotions in
   priority order, on the final unit price: discounted units x unit price x percent, as an
   amount off the line (`LineAdjustment`), never more than is left of the line.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .money import percent_off, quantize
from .outcomes import AppliedPromotion, Level, LineAdjustment
from .pipeline import LineState
from .promotions import AmountOff, BuyXGetY, FixedPrice, PercentOff, Promotion, QuantityTiers
from .scope_index import ScopeIndex
from .stacking import Candidate, select
from .types import PricingRequest

__all__ = ["PROMOTION", "apply_line_promotions", "bxgy_units"]

PROMOTION = "promotion"


def _unit_after(promotion: Promotion, unit: Decimal, quantity: int, currency: str) -> Decimal:
    reward = promotion.reward
    if isinstance(reward, PercentOff):
        return percent_off(unit, reward.percent, currency)
    if isinstance(reward, AmountOff):
        return unit - min(quantize(reward.amount, currency), unit)
    if isinstance(reward, FixedPrice):
        return min(quantize(reward.unit_price, currency), unit)
    if isinstance(reward, QuantityTiers):
        percent = reward.percent_for(quantity)
        return unit if percent is None else percent_off(unit, percent, currency)
    raise TypeError(f"{promotion.name} is not a per-unit promotion")


def bxgy_units(
    reward: BuyXGetY, promotion: Promotion, line: LineState, lines: Sequence[LineState] | ScopeIndex
) -> int:
    """How many units of `line` buy X get Y discounts (see `BuyXGetY`)."""
    if reward.get_sku is None:
        applications = line.quantity // (reward.buy_quantity + reward.get_quantity)
    else:
        index = lines if isinstance(lines, ScopeIndex) else ScopeIndex(lines)
        bought = sum(
            other.quantity for other in index.matching(promotion.scope) if other.item.sku != reward.get_sku
        )
        applications = bought // reward.buy_quantity
    if reward.max_applications is not None:
        applications = min(applications, reward.max_applications)
    return min(applications * reward.get_quantity, line.quantity)


def _bxgy_amount(promotion: Promotion, line: LineState, lines: ScopeIndex) -> Decimal:
    reward = promotion.reward
    assert isinstance(reward, BuyXGetY)
    gross = line.unit_price * bxgy_units(reward, promotion, line, lines)
    return gross - percent_off(gross, reward.percent, line.currency)


def _targets(promotion: Promotion, index: ScopeIndex) -> tuple[int, ...]:
    """Positions of the lines the promotion acts on (for buy X get Y with a get SKU: that line)."""
    reward = promotion.reward
    if isinstance(reward, BuyXGetY) and reward.get_sku is not None:
        position = index.by_sku.get(reward.get_sku)
        return () if position is None else (position,)
    return index.positions(promotion.scope)


def _standalone(promotion: Promotion, line: LineState, lines: ScopeIndex) -> Decimal:
    if isinstance(promotion.reward, BuyXGetY):
        value = _bxgy_amount(promotion, line, lines)
    else:
        new_unit = _unit_after(promotion, line.unit_price, line.quantity, line.currency)
        value = (line.unit_price - new_unit) * line.quantity
    if promotion.budget_amount is not None:
        value = min(value, quantize(promotion.budget_amount, line.currency))
    return value


class _Budgets:
    def __init__(self, promotions: Sequence[Promotion], currency: str):
        self.currency = currency
        self.spent = {p.id: quantize(Decimal(0), currency) for p in promotions}
        self.caps = {
            p.id: None if p.budget_amount is None else quantize(p.budget_amount, currency)
            for p in promotions
        }

    def left(self, promotion: Promotion) -> Decimal | None:
        cap = self.caps[promotion.id]
        return None if cap is None else max(cap - self.spent[promotion.id], Decimal(0))

    def capped(self, promotion: Promotion, amount: Decimal) -> Decimal:
        left = self.left(promotion)
        return amount if left is None else min(amount, left)


def apply_line_promotions(
    lines: Sequence[LineState], request: PricingRequest
) -> tuple[AppliedPromotion, ...]:
    """Apply the request's line promotions to `lines` (sorted by SKU), in place; returns
    what each applied promotion gave in all."""
    currency = request.currency
    promotions = sorted(
        (
            p
            for p in request.promotions
            if p.level is Level.LINE and p.available(request.dealer, currency, request.moment)
        ),
        key=lambda p: p.order_key,
    )
    if not promotions or not lines:
        return ()
    index = ScopeIndex(lines)
    targets = {p.id: _targets(p, index) for p in promotions}
    by_line: dict[int, list[Promotion]] = {}
    for promotion in promotions:  # in priority order, as the candidates must be
        for position in targets[promotion.id]:
            by_line.setdefault(position, []).append(promotion)
    chosen: dict[str, set[str]] = {}
    for position, line in enumerate(lines):
        candidates = [Candidate(p, _standalone(p, line, index)) for p in by_line.get(position, ())]
        chosen[line.item.sku] = {p.id for p in select(candidates)}

    budgets = _Budgets(promotions, currency)
    pending: list[tuple[LineState, Promotion, Decimal]] = []
    for promotion in promotions:
        if isinstance(promotion.reward, BuyXGetY):
            continue
        for line in (lines[p] for p in targets[promotion.id]):
            if promotion.id not in chosen[line.item.sku]:
                continue
            new_unit = _unit_after(promotion, line.unit_price, line.quantity, currency)
            if new_unit >= line.unit_price:
                continue
            discount = (line.unit_price - new_unit) * line.quantity
            allowed = budgets.capped(promotion, discount)
            if allowed == discount:
                line.apply(PROMOTION, promotion.name, new_unit)
                line.applied.append(promotion.name)
            elif allowed > 0:
                pending.append((line, promotion, allowed))
            budgets.spent[promotion.id] += allowed

    for line, promotion, reserved in pending:
        taken = line.adjust(LineAdjustment(promotion.name, PROMOTION, reserved, promotion.id))
        budgets.spent[promotion.id] += taken - reserved
        if taken:
            line.applied.append(promotion.name)

    for promotion in promotions:
        if not isinstance(promotion.reward, BuyXGetY):
            continue
        for line in (lines[p] for p in targets[promotion.id]):
            if promotion.id not in chosen[line.item.sku]:
                continue
            amount = budgets.capped(promotion, _bxgy_amount(promotion, line, index))
            taken = line.adjust(LineAdjustment(promotion.name, PROMOTION, amount, promotion.id))
            if taken:
                budgets.spent[promotion.id] += taken
                line.applied.append(promotion.name)

    return tuple(
        AppliedPromotion(p.id, p.name, Level.LINE.value, budgets.spent[p.id])
        for p in promotions
        if budgets.spent[p.id] > 0
    )
