"""A dealer with an admin, an approver and a buyer whose order limit is 100.00, and two SKUs
at list price (the dealer has no tier, so it pays list): BIG-100 at 100.00 and PENNY at 0.01.
One BIG-100 is an order of exactly 100.00 (within the limit); with one PENNY it is 100.01
(above it). Used by the approval tests of storefront/tests and tests/."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model

from catalog.models import Product, Stock, Variant, Warehouse
from partners.models import Address, Company, CreditAccount, Membership
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete

PASSWORD = "correct-horse-battery"
LIMIT = Decimal("100.00")


@dataclass
class Dealer:
    company: Company
    admin: object
    approver: object
    buyer: object


def make_member(company: Company, email: str, role: str, order_limit: Decimal | None = None):
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    Membership.objects.create(user=user, company=company, role=role, order_limit=order_limit)
    return user


def make_dealer(code: str = "A1", *, credit_limit: str = "1000.00") -> Dealer:
    company = Company.objects.create(code=code, name=f"Dealer {code} Ltd", currency="GBP")
    CreditAccount.objects.create(company=company, currency="GBP", credit_limit=Decimal(credit_limit))
    Address.objects.create(company=company, name=f"{code} depot", line1="1 Dock Road", city="Hull",
                           postal_code="HU1 1AA", country="United Kingdom", is_default_shipping=True)
    Address.objects.create(company=company, name=f"{code} shop", line1="9 High Street", city="York",
                           postal_code="YO1 7HH", country="United Kingdom")
    low = code.lower()
    return Dealer(
        company=company,
        admin=make_member(company, f"admin@{low}.example", Membership.Role.ADMIN),
        approver=make_member(company, f"approver@{low}.example", Membership.Role.APPROVER),
        buyer=make_member(company, f"buyer@{low}.example", Membership.Role.BUYER, order_limit=LIMIT),
    )


def make_catalog(stock: int = 10) -> dict[str, Variant]:
    warehouse, _ = Warehouse.objects.get_or_create(code="MAIN", defaults={"name": "Main", "priority": 10})
    variants = {}
    for sku, price in (("BIG-100", "100.00"), ("PENNY", "0.01")):
        product = Product.objects.create(name=f"Product {sku}", slug=f"p-{sku.lower()}")
        variants[sku] = Variant.objects.create(product=product, sku=sku, list_price=Decimal(price), currency="GBP")
        Stock.objects.create(variant=variants[sku], warehouse=warehouse, quantity_on_hand=stock)
    return variants


def place(user, company: Company, key: str, *, pennies: int = 1, big: int = 1, **kwargs):
    """Cart of `big` BIG-100 and `pennies` PENNY, checked out; returns the order."""
    lines = [LineChange("BIG-100", big)] + ([LineChange("PENNY", pennies)] if pennies else [])
    add_lines(user, company, lines)
    return checkout_complete(user=user, company=company, idempotency_key=key, **kwargs).order
