"""Two dealers with a user each, and a vendor specialist (staff)."""

import pytest

from tests.factories import CompanyFactory, RegionFactory, TierFactory, UserFactory


@pytest.fixture
def region_uk(db):
    return RegionFactory(code="uk", name="United Kingdom")


@pytest.fixture
def gold(db):
    return TierFactory(code="gold", name="Gold", rank=2)


@pytest.fixture
def alpha(gold, region_uk):
    return UserFactory(email="ann@alpha.example", company=CompanyFactory(name="Alpha Tools Ltd", tier=gold, region=region_uk))


@pytest.fixture
def beta(db):
    return UserFactory(email="bob@beta.example", company=CompanyFactory(name="Beta Supplies Ltd"))


@pytest.fixture
def staff(db):
    user = UserFactory(email="cara@vendor.example")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user
