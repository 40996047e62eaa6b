from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.factories import CompanyFactory, OrderFactory

# A moment in the third quarter of 2026, the programs' year in the factories.
Q3 = datetime(2026, 8, 10, 12, 0, tzinfo=UTC)


def order_of(company, amount: str, *, placed_at=Q3, **extra):
    value = Decimal(amount)
    return OrderFactory(company=company, subtotal=value, total=value, placed_at=placed_at, **extra)


@pytest.fixture
def dealer(db):
    return CompanyFactory(name="Alpha Tools Ltd")


@pytest.fixture
def other_dealer(db):
    return CompanyFactory(name="Beta Supplies Ltd")
