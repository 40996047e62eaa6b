"""The stacking rule: which of the promotions that would apply at one level do apply.

At one level (a line, for line promotions; the order, for order promotions), given every
promotion that would give something there on its own and how much (`Candidate.value`):

1. If any of them is exclusive, the exclusive one that comes first by priority (lower
   `priority` number first, then `id`) applies alone: it excludes all others at its level.
2. Otherwise, within each stacking group only the one that gives the dealer the most
   applies (ties: priority, then id); promotions without a group all stay.
3. What is left applies in priority order (then id), each on the price the previous left.

Vouchers come after order promotions, and rebate credit after everything (cart.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .promotions import Promotion

__all__ = ["Candidate", "select"]


@dataclass(frozen=True)
class Candidate:
    promotion: Promotion
    value: Decimal  # what it gives on its own at this level, before the others


def select(candidates: Iterable[Candidate]) -> tuple[Promotion, ...]:
    """The promotions that apply, in the order they apply (see the module docstring)."""
    found = [c for c in candidates if c.value > 0]
    exclusive = [c.promotion for c in found if c.promotion.exclusive]
    if exclusive:
        return (min(exclusive, key=lambda p: p.order_key),)
    best: dict[str, Candidate] = {}
    kept: list[Promotion] = []
    for candidate in found:
        group = candidate.promotion.stacking_group
        if group is None:
            kept.append(candidate.promotion)
            continue
        current = best.get(group)
        if current is None or _better(candidate, current):
            best[group] = candidate
    kept.extend(c.promotion for c in best.values())
    return tuple(sorted(kept, key=lambda p: p.order_key))


def _better(a: Candidate, b: Candidate) -> bool:
    return (-a.value, a.promotion.order_key) < (-b.value, b.promotion.order_key)
