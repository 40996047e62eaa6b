"""Fixtures of the pricing tests (the factories are in tests/factories.py)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import PromotionFactory, VoucherFactory  # noqa: F401 - the tests import them from here

UTC = ZoneInfo("UTC")
NOW = datetime(2027, 3, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def now():
    return NOW
