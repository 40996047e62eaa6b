"""Fixtures of the sign-in tests: `from .auth_fixtures import *` (security/tests/test_auth_*,
test_tokens*, test_two_factor*); helpers are in auth_client.py."""

import pytest

from tests.factories import CompanyFactory, UserFactory

__all__ = ["alice", "bob", "staff"]


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@alpha.example", company=CompanyFactory(name="Alpha Tools Ltd"))


@pytest.fixture
def bob(db):
    return UserFactory(email="bob@beta.example", company=CompanyFactory(name="Beta Supplies Ltd"))


@pytest.fixture
def staff(db):
    return UserFactory(email="kim@vendor.example", username="kim", is_staff=True, is_superuser=True)
