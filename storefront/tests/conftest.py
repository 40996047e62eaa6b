"""Fixtures of the storefront page tests: one Gold dealer, its buyer, and a small catalog.

Kept here (not in tests/factories.py) so the page tests stand on their own.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from catalog.models import Category, Product, Stock, Variant, Warehouse
from catalog.search.documents import refresh_documents
from partners.models import Company, CreditAccount, Membership, Tier
from pricing_engine.models import PriceBreak, PriceList

PASSWORD = "correct-horse-battery"


@pytest.fixture
def gold(db):
    return Tier.objects.create(code="GOLD", name="Gold", rank=2)


@pytest.fixture
def gold_list(gold):
    return PriceList.objects.create(
        name="Gold dealers", kind=PriceList.Kind.TIER, tier=gold, currency="GBP", default_discount_percent=Decimal("10")
    )


@pytest.fixture
def warehouse(db):
    return Warehouse.objects.create(code="MAIN", name="Main warehouse", priority=10)


@pytest.fixture
def category(db):
    return Category.objects.create(name="Lanterns", slug="lanterns")


def make_company(code: str, name: str, tier=None, credit_limit: str = "1000.00") -> Company:
    company = Company.objects.create(code=code, name=name, tier=tier, currency="GBP")
    CreditAccount.objects.create(company=company, currency="GBP", credit_limit=Decimal(credit_limit))
    return company


def make_user(email: str, company: Company | None = None, **extra):
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD, **extra)
    if company is not None:
        Membership.objects.create(user=user, company=company, role=Membership.Role.BUYER)
    return user


def make_variant(sku: str, name: str, list_price: str, *, category=None, warehouse=None, on_hand: int = 100, **extra):
    product = Product.objects.create(name=name, slug=f"p-{sku.lower()}", category=category, description=f"About {name}.")
    variant = Variant.objects.create(product=product, sku=sku, list_price=Decimal(list_price), currency="GBP", **extra)
    if warehouse is not None:
        Stock.objects.create(variant=variant, warehouse=warehouse, quantity_on_hand=on_hand)
    refresh_documents([variant.pk])  # as the catalog services do: search reads the document
    return variant


@pytest.fixture
def company(gold, gold_list):
    return make_company("D001", "Acme Lighting Ltd", tier=gold)


@pytest.fixture
def buyer(company):
    return make_user("buyer@acme.example", company)


@pytest.fixture
def dealer_client(client, buyer):
    client.force_login(buyer)
    return client


@pytest.fixture
def variant(category, warehouse, gold_list):
    """SKU 85123A at list 2.55; Gold pays 10% off (2.295 -> 2.30), 2.10 from 10 units."""
    v = make_variant("85123A", "White hanging heart T-light holder", "2.55", category=category, warehouse=warehouse)
    PriceBreak.objects.create(price_list=gold_list, variant=v, min_quantity=10, unit_price=Decimal("2.10"))
    return v


@pytest.fixture
def other_company(gold):
    return make_company("D002", "Other Dealer GmbH", tier=gold)


@pytest.fixture
def make_products(category, warehouse):
    def make(count: int, start: int = 0):
        return [
            make_variant(f"SKU{n:05d}", f"Product {n:05d}", "1.00", category=category, warehouse=warehouse)
            for n in range(start, start + count)
        ]

    return make
