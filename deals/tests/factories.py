"""Factories of deal registration (the general ones are in tests/factories.py)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from deals.matching import normalise_domain, normalise_name, normalise_phone, normalise_tax_number
from deals.models import Deal
from tests.factories import CompanyFactory


class DealFactory(factory.django.DjangoModelFactory):
    """A draft deal with its keys filled in; `state=APPROVED` also sets 90 days' protection."""

    class Meta:
        model = Deal

    company = factory.SubFactory(CompanyFactory)
    prospect_name = factory.Sequence(lambda n: f"Prospect {n} Ltd")
    tax_number = ""
    website = ""
    contact_email = ""
    phone = ""
    currency = "GBP"
    expected_value = Decimal("5000.00")
    state = Deal.State.DRAFT
    name_key = factory.LazyAttribute(lambda o: normalise_name(o.prospect_name))
    tax_key = factory.LazyAttribute(lambda o: normalise_tax_number(o.tax_number))
    domain_key = factory.LazyAttribute(lambda o: normalise_domain(o.website, o.contact_email))
    phone_key = factory.LazyAttribute(lambda o: normalise_phone(o.phone, "44"))
    protected_until = factory.LazyAttribute(
        lambda o: timezone.now() + timedelta(days=90) if o.state == Deal.State.APPROVED else None
    )
