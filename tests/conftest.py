"""Fixtures of the cross-app tests: a small catalog and two dealers of different tiers."""

from decimal import Decimal

import pytest

from tests.factories import (
    CompanyFactory,
    PriceListFactory,
    RegionFactory,
    TierFactory,
    UserFactory,
)


@pytest.fixture
def gold_tier(db):
    return TierFactory(code="gold", name="Gold", rank=1)


@pytest.fixture
def gold_list(gold_tier):
    """The Gold tier list: 10% off list for every SKU without an explicit price."""
    return PriceListFactory(name="Gold list", tier=gold_tier, default_discount_percent=Decimal("10"))


@pytest.fixture
def dealer_a(gold_tier):
    company = CompanyFactory(name="Alpha Tools Ltd", tier=gold_tier, region=RegionFactory(code="uk", name="United Kingdom"))
    return UserFactory(email="buyer@alpha.example", company=company)


@pytest.fixture
def dealer_b(gold_tier):
    company = CompanyFactory(name="Beta Supplies Ltd", tier=gold_tier)
    return UserFactory(email="buyer@beta.example", company=company)
