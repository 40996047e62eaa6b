"""Factories of the marketing-fund tests."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Permission

from expenses.models import ActivityPlan, Fund
from tests.factories import CompanyFactory, UserFactory


class FundFactory(factory.django.DjangoModelFactory):
    """A dealer's fund of 5,000.00 GBP for 2026."""

    class Meta:
        model = Fund

    name = "MDF 2026"
    company = factory.SubFactory(CompanyFactory)
    region = None
    period_start = date(2026, 1, 1)
    period_end = date(2026, 12, 31)
    currency = "GBP"
    budget = Decimal("5000.00")


class PlanFactory(factory.django.DjangoModelFactory):
    """A draft trade-show plan on its company's fund (use the services to move it on)."""

    class Meta:
        model = ActivityPlan

    fund = factory.SubFactory(FundFactory)
    company = factory.LazyAttribute(lambda o: o.fund.company)
    kind = ActivityPlan.Kind.TRADE_SHOW
    title = "Spring trade fair booth"
    starts_on = date(2026, 3, 10)
    ends_on = date(2026, 3, 12)
    currency = "GBP"
    requested_amount = Decimal("800.00")
    expected_outcome = "20 new leads"


def staff_user(email: str, *codenames: str):
    """A vendor staff user holding the given expenses permissions."""
    user = UserFactory(email=email, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="expenses", codename__in=codenames))
    return type(user).objects.get(pk=user.pk)  # fresh: no cached permissions
