"""The rebate arithmetic, pure Python (no Django): ladders, retroactive and stepped modes,
growth targets, periods, and how one purchase or return splits into accrual entries.

Vocabulary
----------
- volume: a dealer's net purchases in one period of a program (orders less returns, in the
  program's currency, only the program's categories when it names some). It can be negative
  (a period with more returned than bought); a negative volume earns nothing.
- ladder: targets, each a threshold and a rate in per cent ("≥ 10,000 → 1 %").
- retroactive: the highest rate reached applies to the whole volume.
- stepped: each band of the volume earns its own rate (like income tax brackets): with
  10,000 → 1 % and 25,000 → 2 %, a volume of 30,000 earns 15,000 × 1 % + 5,000 × 2 %.
  Volume below the first threshold earns nothing in both modes.
- growth target: the program pays only when volume ≥ last year's volume of the same period
  × (1 + growth %). A dealer that bought nothing last year meets it with any volume.

Every amount of money is rounded once, by THE rule (pricing_engine.core.money.quantize), to
the currency's minor unit: the rebate of a volume is computed exactly and rounded at the end.
Accrual entries are differences of such rounded totals, so the entries of a period always add
up to exactly what a settlement computed from scratch pays for the same volume.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pricing_engine.core.money import check_amount, quantize

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Mode(StrEnum):
    RETROACTIVE = "retroactive"
    STEPPED = "stepped"


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, order=True)
class Target:
    """From `threshold` of volume on, `rate` per cent."""

    threshold: Decimal
    rate: Decimal

    def __post_init__(self) -> None:
        threshold = check_amount(self.threshold, "threshold")
        rate = check_amount(self.rate, "rate")
        if threshold < 0:
            raise ValueError("a target's threshold must not be negative")
        if not 0 <= rate <= 100:
            raise ValueError("a target's rate is a percentage between 0 and 100")
        object.__setattr__(self, "threshold", threshold)
        object.__setattr__(self, "rate", rate)


@dataclass(frozen=True)
class Ladder:
    """The targets of a program, sorted by threshold; thresholds are distinct and rates do
    not fall as thresholds rise (so more volume never earns less)."""

    targets: tuple[Target, ...]

    def __post_init__(self) -> None:
        targets = tuple(sorted(self.targets))
        thresholds = [t.threshold for t in targets]
        if len(set(thresholds)) != len(thresholds):
            raise ValueError("two targets have the same threshold")
        rates = [t.rate for t in targets]
        if rates != sorted(rates):
            raise ValueError("a higher target must not pay a lower rate")
        object.__setattr__(self, "targets", targets)

    @classmethod
    def of(cls, *pairs: tuple[Decimal | int | str, Decimal | int | str]) -> Ladder:
        return cls(tuple(Target(Decimal(str(t)), Decimal(str(r))) for t, r in pairs))

    def reached(self, volume: Decimal) -> Target | None:
        """The highest target whose threshold the volume reaches (None below the first).
        A zero threshold is reached by any positive volume, not by zero or less."""
        best = None
        for target in self.targets:
            if volume >= target.threshold and volume > 0:
                best = target
            else:
                break
        return best

    def next_after(self, volume: Decimal) -> Target | None:
        """The first target not reached yet."""
        for target in self.targets:
            if not (volume >= target.threshold and volume > 0):
                return target
        return None


@dataclass(frozen=True)
class Terms:
    """Everything about a program that decides what a volume earns."""

    ladder: Ladder
    mode: Mode
    currency: str
    growth_percent: Decimal | None = None  # None: no growth target

    def growth_floor(self, last_year: Decimal) -> Decimal | None:
        """The volume the growth target asks for this period (None when there is none)."""
        if self.growth_percent is None:
            return None
        return max(last_year, ZERO) * (HUNDRED + self.growth_percent) / HUNDRED

    def growth_met(self, volume: Decimal, last_year: Decimal) -> bool:
        floor = self.growth_floor(last_year)
        return floor is None or volume >= floor


def rate_for(terms: Terms, volume: Decimal, last_year: Decimal = ZERO) -> Decimal:
    """The rate (per cent) the volume has reached: 0 below the first target or while the
    growth target is not met. In stepped mode this is the rate of the top band reached."""
    if not terms.growth_met(volume, last_year):
        return ZERO
    target = terms.ladder.reached(volume)
    return target.rate if target else ZERO


def exact_rebate(terms: Terms, volume: Decimal, last_year: Decimal = ZERO) -> Decimal:
    """What the volume earns, unrounded."""
    volume = check_amount(volume, "volume")
    if volume <= 0 or not terms.growth_met(volume, last_year):
        return ZERO
    if terms.mode is Mode.RETROACTIVE:
        return volume * rate_for(terms, volume, last_year) / HUNDRED
    earned = ZERO
    targets = terms.ladder.targets
    for index, target in enumerate(targets):
        if volume < target.threshold:
            break
        top = targets[index + 1].threshold if index + 1 < len(targets) else None
        band_end = volume if top is None else min(volume, top)
        earned += (band_end - target.threshold) * target.rate / HUNDRED
    return earned


def rebate_for(terms: Terms, volume: Decimal, last_year: Decimal = ZERO) -> Decimal:
    """What the volume earns, rounded to the currency's minor unit (THE rounding rule)."""
    return quantize(exact_rebate(terms, volume, last_year), terms.currency)


@dataclass(frozen=True)
class AccrualSplit:
    """How one change of volume (a purchase, or a return when negative) is accrued.

    `own` is the change's part; `retroactive` is what the volume before the change gains or
    loses because the change moved the rate (a target crossed, the growth target met, or
    fallen back below either); `rate` is the rate reached after the change. The two add up
    to rebate_for(new volume) - accrued before.
    """

    own: Decimal
    retroactive: Decimal
    rate: Decimal
    total_after: Decimal

    @property
    def amount(self) -> Decimal:
        return self.own + self.retroactive


def split_accrual(terms: Terms, volume_before: Decimal, accrued_before: Decimal, change: Decimal,
                  last_year: Decimal = ZERO) -> AccrualSplit:
    """Accrue `change` of volume on top of `volume_before`, of which `accrued_before` has
    been accrued already.

    A purchase earns the rate reached after it; the earlier volume is then topped up to that
    rate (the retroactive difference). A return gives back what it earned at the rate held
    before it; the volume left then falls back to the rate it still reaches.
    """
    after = volume_before + change
    total_after = rebate_for(terms, after, last_year)
    rate = rate_for(terms, after, last_year)
    if change >= 0:
        # What the earlier volume earns in the state reached after the purchase.
        pivot = _earned_in_state(terms, volume_before, rate, terms.growth_met(after, last_year))
        return AccrualSplit(own=total_after - pivot, retroactive=pivot - accrued_before, rate=rate, total_after=total_after)
    # What the volume left earns in the state before the return.
    before_rate = rate_for(terms, volume_before, last_year)
    pivot = _earned_in_state(terms, after, before_rate, terms.growth_met(volume_before, last_year))
    return AccrualSplit(own=pivot - accrued_before, retroactive=total_after - pivot, rate=rate, total_after=total_after)


def _earned_in_state(terms: Terms, volume: Decimal, rate: Decimal, growth_met: bool) -> Decimal:
    if volume <= 0 or not growth_met:
        return ZERO
    if terms.mode is Mode.RETROACTIVE:
        return quantize(volume * rate / HUNDRED, terms.currency)
    return rebate_for(Terms(terms.ladder, terms.mode, terms.currency), volume)


@dataclass(frozen=True)
class Progress:
    """Where a dealer stands in a period: for "2,340.00 more this quarter for 2%"."""

    volume: Decimal
    rate: Decimal
    earned: Decimal
    next_rate: Decimal | None
    missing: Decimal | None  # volume still needed for the next rate (None at the top)
    growth_floor: Decimal | None
    growth_met: bool


def progress(terms: Terms, volume: Decimal, last_year: Decimal = ZERO) -> Progress:
    """The rate reached and the nearest volume that earns a higher rate: the next target,
    or the growth floor while the growth target is not met."""
    rate = rate_for(terms, volume, last_year)
    floor = terms.growth_floor(last_year)
    smallest = Decimal(1).scaleb(-_exponent(terms.currency))
    candidates = sorted({max(t.threshold, smallest) for t in terms.ladder.targets} | ({floor} if floor is not None else set()))
    next_rate = missing = None
    for candidate in candidates:
        if candidate > volume and rate_for(terms, candidate, last_year) > rate:
            next_rate = rate_for(terms, candidate, last_year)
            missing = _round_up(candidate - volume, terms.currency)
            break
    return Progress(
        volume=volume,
        rate=rate,
        earned=rebate_for(terms, volume, last_year),
        next_rate=next_rate,
        missing=missing,
        growth_floor=None if floor is None else _round_up(floor, terms.currency),
        growth_met=terms.growth_met(volume, last_year),
    )


def _exponent(currency: str) -> int:
    return -quantize(ZERO, currency).as_tuple().exponent


def _round_up(amount: Decimal, currency: str) -> Decimal:
    """A volume still needed, to the minor unit, never short of the target (a growth floor
    like 10,000 x 1.15 can have more digits than the currency)."""
    rounded = quantize(amount, currency)
    return rounded if rounded >= amount else rounded + Decimal(1).scaleb(-_exponent(currency))


# --- periods ---------------------------------------------------------------------------

def period_of(kind: PeriodKind, day: date) -> tuple[date, date]:
    """The calendar period (first day, last day) of `kind` that contains `day`."""
    kind = PeriodKind(kind)
    if kind is PeriodKind.MONTH:
        first_month, months = day.month, 1
    elif kind is PeriodKind.QUARTER:
        first_month, months = 3 * ((day.month - 1) // 3) + 1, 3
    else:
        first_month, months = 1, 12
    last_month = first_month + months - 1
    return date(day.year, first_month, 1), date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])


def same_period_last_year(first: date, last: date) -> tuple[date, date]:
    """The same calendar period one year earlier (29 February becomes 28 February)."""
    last_year_last = last.replace(year=last.year - 1, day=min(last.day, calendar.monthrange(last.year - 1, last.month)[1]))
    return first.replace(year=first.year - 1), last_year_last


def periods_between(kind: PeriodKind, start: date, end: date) -> list[tuple[date, date]]:
    """The calendar periods of `kind` that overlap [start, end], in order."""
    out: list[tuple[date, date]] = []
    day = start
    while day <= end:
        first, last = period_of(kind, day)
        out.append((first, last))
        day = date.fromordinal(last.toordinal() + 1)
    return out


def describe_ladder(targets: Sequence[Target]) -> str:
    return ", ".join(f"≥ {t.threshold} → {t.rate.normalize()}%" for t in sorted(targets))
