"""Order promotions: full reduction (满减: one threshold, a ladder, repeating), percentage off
the order above a threshold, gifts above a threshold; and the nudges towards them.

Thresholds are measured on the subtotal **after line promotions** (the line totals of the
lines in the promotion's scope; every line for an empty scope), before any order promotion
or voucher: a threshold cannot be reached through a price the dealer does not pay, and the
order in which order promotions apply does not move a threshold.

Which order promotions apply is `stacking.select` over the cart (each valued on its own,
capped by its budget). They then apply in priority order, each on what the previous left
of its lines (a percentage is taken of what is left), spread over those lines by largest
remainder (`allocation.Ledger`). A gift is a line of its own at 0.00 (`PricedCart.gift_lines`)
whose SKU must be in `items`; otherwise it is skipped with a note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .allocation import Ledger
from .money import percent_off, quantize
from .outcomes import AppliedPromotion, Level, Nudge, PricingNote
from .pipeline import LineState
from .promotions import FullReduction, GiftWithPurchase, OrderPercentOff, Promotion
from .scope_index import ScopeIndex
from .stacking import Candidate, select
from .types import CatalogItem, PricedLine, PricingRequest, SourceKind, WaterfallStep

__all__ = ["OrderOutcome", "apply_order_promotions"]

PROMOTION = "promotion"


@dataclass(frozen=True)
class OrderOutcome:
    applied: tuple[AppliedPromotion, ...]
    gift_lines: tuple[PricedLine, ...]
    nudges: tuple[Nudge, ...]
    notes: tuple[PricingNote, ...]


def _reduction(reward: FullReduction, base: Decimal) -> Decimal:
    if reward.repeat:
        (step,) = reward.steps
        times = int(base // step.threshold)
        if reward.max_repeats is not None:
            times = min(times, reward.max_repeats)
        return step.amount * times
    reached = [s.amount for s in reward.steps if s.threshold <= base]
    return reached[-1] if reached else Decimal(0)


class _Order:
    """One cart's order promotions: bases, values and gifts, computed once."""

    def __init__(self, lines: Sequence[LineState], request: PricingRequest):
        self.lines = lines
        self.request = request
        self.currency = request.currency
        self.items: Mapping[str, CatalogItem] = request.items
        self.notes: dict[str, PricingNote] = {}
        self.index = ScopeIndex(lines)
        self._bases: dict[str, Decimal] = {}

    def q(self, amount: Decimal) -> Decimal:
        return quantize(amount, self.currency)

    def skus(self, promotion: Promotion) -> list[str]:
        return [ln.item.sku for ln in self.index.matching(promotion.scope)]

    def base(self, promotion: Promotion) -> Decimal:
        """The subtotal of the promotion's lines after line promotions (fixed for this phase)."""
        base = self._bases.get(promotion.id)
        if base is None:
            matching = (ln.line_total for ln in self.index.matching(promotion.scope))
            base = self._bases[promotion.id] = self.q(sum(matching, Decimal(0)))
        return base

    def cap(self, promotion: Promotion, amount: Decimal) -> Decimal:
        if promotion.budget_amount is not None:
            amount = min(amount, promotion.budget_amount)
        return self.q(max(amount, Decimal(0)))

    def gift_item(self, promotion: Promotion) -> CatalogItem | None:
        reward = promotion.reward
        assert isinstance(reward, GiftWithPurchase)
        item = self.items.get(reward.sku)
        if item is None or item.currency != self.currency:
            why = "is not in the catalog" if item is None else f"is not priced in {self.currency}"
            self.notes[promotion.id] = PricingNote(
                promotion.id,
                "gift_unavailable",
                f"{promotion.name}: gift {reward.sku} {why}; skipped",
            )
            return None
        return item

    def gift_value(self, promotion: Promotion, item: CatalogItem) -> Decimal:
        reward = promotion.reward
        assert isinstance(reward, GiftWithPurchase)
        value = self.q(item.list_price) * reward.quantity
        if promotion.budget_amount is not None and value > promotion.budget_amount:
            self.notes[promotion.id] = PricingNote(
                promotion.id,
                "gift_over_budget",
                f"{promotion.name}: the gift is worth more than the budget left; skipped",
            )
            return self.q(Decimal(0))
        return value

    def value(self, promotion: Promotion) -> Decimal:
        """What the promotion gives on its own on this cart."""
        reward, base = promotion.reward, self.base(promotion)
        if isinstance(reward, FullReduction):
            return min(self.cap(promotion, _reduction(reward, base)), base)
        if isinstance(reward, OrderPercentOff):
            if base <= 0 or base < reward.threshold:
                return self.q(Decimal(0))
            return self.cap(promotion, base - percent_off(base, reward.percent, self.currency))
        assert isinstance(reward, GiftWithPurchase)
        if base <= 0 or base < reward.threshold:
            return self.q(Decimal(0))
        item = self.gift_item(promotion)
        return self.q(Decimal(0)) if item is None else self.gift_value(promotion, item)

    def gift_line(self, promotion: Promotion) -> PricedLine:
        reward = promotion.reward
        assert isinstance(reward, GiftWithPurchase)
        item = self.items[reward.sku]
        list_price, zero = self.q(item.list_price), self.q(Decimal(0))
        steps = [WaterfallStep(SourceKind.LIST.value, "List price", list_price, zero)]
        if list_price:
            steps.append(WaterfallStep(PROMOTION, promotion.name, zero, -list_price))
        return PricedLine(
            sku=item.sku,
            quantity=reward.quantity,
            list_price=list_price,
            unit_price=zero,
            line_total=zero,
            discount_total=list_price * reward.quantity,
            source_kind=PROMOTION,
            source_name=promotion.name,
            waterfall=tuple(steps),
            applied=(promotion.name,),
        )

    def nudge(self, promotion: Promotion) -> Nudge | None:
        reward, base = promotion.reward, self.base(promotion)
        gift_sku, gift_quantity = None, 0
        if isinstance(reward, FullReduction):
            if reward.repeat:
                (step,) = reward.steps
                times = int(base // step.threshold)
                if reward.max_repeats is not None and times >= reward.max_repeats:
                    return None
                target, prize = step.threshold * (times + 1), step.amount * (times + 1)
            else:
                ahead = [s for s in reward.steps if s.threshold > base]
                if not ahead or ahead[0].amount <= _reduction(reward, base):
                    return None
                target, prize = ahead[0].threshold, ahead[0].amount
        elif isinstance(reward, OrderPercentOff):
            if base >= reward.threshold:
                return None
            target = reward.threshold
            prize = target - percent_off(target, reward.percent, self.currency)
        else:
            assert isinstance(reward, GiftWithPurchase)
            if base >= reward.threshold:
                return None
            item = self.items.get(reward.sku)
            if item is None or item.currency != self.currency:
                return None
            target, prize = reward.threshold, self.gift_value(promotion, item)
            gift_sku, gift_quantity = reward.sku, reward.quantity
        prize = self.cap(promotion, prize)
        missing = self.q(target - base)
        if prize <= 0 or missing <= 0:
            return None
        return Nudge(promotion.id, promotion.name, missing, prize, gift_sku, gift_quantity)


def apply_order_promotions(
    lines: Sequence[LineState], ledger: Ledger, request: PricingRequest
) -> OrderOutcome:
    """Apply the request's order promotions to `ledger`; return gifts, nudges and notes."""
    promotions = sorted(
        (
            p
            for p in request.promotions
            if p.level is Level.ORDER
            and p.available(request.dealer, request.currency, request.moment)
        ),
        key=lambda p: p.order_key,
    )
    order = _Order(lines, request)
    chosen = select(Candidate(p, order.value(p)) for p in promotions)
    applied: list[AppliedPromotion] = []
    gifts: list[PricedLine] = []
    for promotion in chosen:
        reward, skus = promotion.reward, order.skus(promotion)
        if isinstance(reward, GiftWithPurchase):
            gifts.append(order.gift_line(promotion))
            taken = order.value(promotion)
        elif isinstance(reward, FullReduction):
            taken = ledger.take(
                promotion.id, promotion.name, PROMOTION, order.value(promotion), skus
            )
        else:
            assert isinstance(reward, OrderPercentOff)
            left = ledger.left(skus)
            amount = order.cap(promotion, left - percent_off(left, reward.percent, order.currency))
            taken = ledger.take(promotion.id, promotion.name, PROMOTION, amount, skus)
        if taken > 0:
            applied.append(AppliedPromotion(promotion.id, promotion.name, Level.ORDER.value, taken))

    exclusive = next((p for p in chosen if p.exclusive), None)
    nudges = []
    for promotion in promotions:
        if exclusive is not None and promotion is not exclusive:
            if not (promotion.exclusive and promotion.order_key < exclusive.order_key):
                continue  # excluded by the exclusive promotion that applies
        found = order.nudge(promotion)
        if found is not None:
            nudges.append(found)
    nudges.sort(key=lambda n: (n.amount_missing, n.promotion_id))
    return OrderOutcome(
        tuple(applied),
        tuple(sorted(gifts, key=lambda g: (g.sku, g.source_name))),
        tuple(nudges),
        tuple(order.notes[k] for k in sorted(order.notes)),
    )
