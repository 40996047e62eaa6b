"""Factories of the rebates tests (tests/factories.py has the dealers and orders)."""

from datetime import date
from decimal import Decimal

import factory

from rebates.models import RebateProgram, RebateTarget


class RebateProgramFactory(factory.django.DjangoModelFactory):
    """A quarterly retroactive GBP program for every dealer in 2026 with the ladder
    ≥ 10,000 → 1%, ≥ 25,000 → 2%, ≥ 50,000 → 3% (pass `ladder=[]` for none)."""

    class Meta:
        model = RebateProgram
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Volume rebate {n}")
    currency = "GBP"
    period_kind = RebateProgram.PeriodKinds.QUARTER
    starts_on = date(2026, 1, 1)
    ends_on = date(2026, 12, 31)
    mode = RebateProgram.Modes.RETROACTIVE

    @factory.post_generation
    def ladder(obj, create, extracted, **kwargs):
        pairs = [(10000, 1), (25000, 2), (50000, 3)] if extracted is None else extracted
        if create:
            RebateTarget.objects.bulk_create(
                [RebateTarget(program=obj, threshold=Decimal(str(t)), rate=Decimal(str(r))) for t, r in pairs]
            )
