import pytest

from expenses.tests.factories import staff_user
from partners.models import Membership
from tests.factories import CompanyFactory, RegionFactory, UserFactory


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EXPENSE_PAYOUT = "recorded"


@pytest.fixture
def dealer(db):
    """A dealer admin (may plan and claim) of a UK dealer."""
    company = CompanyFactory(name="Alpha Tools Ltd", region=RegionFactory(code="uk", name="United Kingdom"))
    return UserFactory(email="admin@alpha.example", company=company, company__role=Membership.Role.ADMIN)


@pytest.fixture
def other_dealer(db):
    company = CompanyFactory(name="Beta Supplies Ltd")
    return UserFactory(email="admin@beta.example", company=company, company__role=Membership.Role.ADMIN)


@pytest.fixture
def approvers(db):
    return [staff_user(f"approver{i}@vendor.example", "approve_activityplan", "view_activityplan") for i in (1, 2, 3)]


@pytest.fixture
def auditor(db):
    return staff_user("auditor@vendor.example", "audit_activityplan", "view_activityplan")
