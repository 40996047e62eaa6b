import pytest

from partners.models import Membership
from tests.factories import CompanyFactory, RegionFactory, TierFactory, UserFactory


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def learner(db):
    company = CompanyFactory(name="Alpha Tools Ltd", tier=TierFactory(code="gold", name="Gold"), region=RegionFactory(code="uk", name="United Kingdom"))
    return UserFactory(email="anna@alpha.example", first_name="Anna", last_name="Smith", company=company)


@pytest.fixture
def colleague(learner):
    return UserFactory(email="bob@alpha.example", company=learner.membership.company, company__role=Membership.Role.ADMIN)


@pytest.fixture
def outsider(db):
    return UserFactory(email="carl@beta.example", company=CompanyFactory(name="Beta Supplies Ltd"))
