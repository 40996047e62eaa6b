"""Factories for promotions and vouchers (the others are in tests/factories.py)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
import pytest

from pricing_engine.models import Promotion, Voucher

UTC = ZoneInfo("UTC")
NOW = datetime(2027, 3, 15, 12, 0, tzinfo=UTC)


class PromotionFactory(factory.django.DjangoModelFactory):
    """10% off every product for every dealer, live around NOW, no caps."""

    class Meta:
        model = Promotion
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Promotion {n:03d}")
    kind = Promotion.Kind.PERCENT_OFF
    reward = factory.LazyFunction(lambda: {"percent": "10"})
    currency = "GBP"
    starts_at = datetime(2027, 3, 1, tzinfo=UTC)
    ends_at = datetime(2027, 4, 1, tzinfo=UTC)
    priority = 100

    @factory.post_generation
    def relations(obj, create, extracted, **kwargs):
        if create:
            for name, values in kwargs.items():
                getattr(obj, name).set(values)


class VoucherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Voucher

    code = factory.Sequence(lambda n: f"CODE{n:03d}")
    name = ""
    amount = Decimal("10.00")
    currency = "GBP"


@pytest.fixture
def now():
    return NOW
