"""The dealer the browser tests act as, built with tests/factories.py.

North Lights Ltd (Gold: 10% off list), default ship-to in Leeds, credit limit 10,000.00 GBP.
  buyer@north.example     buyer, order limit 500.00 (a bigger order waits for approval)
  approver@north.example  dealer admin, no limit
Catalog (Gold price = list less 10%):
  LAN-100 Brass storm lantern        list 20.00 -> 18.00, 50 on hand     (Lanterns)
  LAN-200 Glass tea-light lantern    list  5.00 ->  4.50, 200 on hand, sold in sixes (Lanterns)
  MUG-300 Enamel camping mug         list  8.00 ->  7.20, 100 on hand    (Mugs)
  MUG-301 Enamel mug, blue           list  8.00 ->  7.20, none on hand   (Mugs)
Past order N-PAST-0001 (confirmed, 1 June 2026): 2 x LAN-100 at 18.00 + 6 x LAN-200 at 4.50 = 63.00.
Another dealer, South Supplies Ltd, has its own buyer and order, which North must never see.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from catalog.models import Variant
from catalog.search.documents import refresh_documents
from partners.models import Address, Company, Membership
from storefront.models import Order
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    CompanyFactory,
    OrderFactory,
    OrderLineFactory,
    PriceListFactory,
    ProductFactory,
    TierFactory,
    VariantFactory,
)

PAST_ORDER = "N-PAST-0001"
OTHER_ORDER = "S-PAST-0001"
# The main signed-in pages (the accessibility and page-weight tests visit each).
PAGES = {
    "catalog": "/",
    "product": "/products/LAN-100/",
    "cart": "/cart/",
    "checkout": "/checkout/",
    "orders": "/orders/",
    "order-detail": f"/orders/{PAST_ORDER}/",
    "quick-order": "/quick-order/",
    "account": "/account/",
}


@dataclass
class Scenario:
    company: Company
    buyer: object
    approver: object
    other_buyer: object
    variants: dict[str, Variant]
    past_order: Order
    other_order: Order


@cache
def _password_hash() -> str:
    """PASSWORD hashed once per process: the real hasher costs about a second a user here."""
    return make_password(PASSWORD)


def _user(email, company, role=Membership.Role.BUYER, order_limit=None):
    user = get_user_model().objects.create(username=email, email=email, password=_password_hash())
    Membership.objects.create(user=user, company=company, role=role, order_limit=order_limit)
    return user


def _variant(sku, name, list_price, stock, category, **extra):
    product = ProductFactory(name=name, slug=f"p-{sku.lower()}", category=category, description=f"{name}, for the shop floor.")
    return VariantFactory(product=product, sku=sku, list_price=Decimal(list_price), stock=stock, **extra)


def build_scenario() -> Scenario:
    gold = TierFactory(code="gold", name="Gold", rank=1)
    PriceListFactory(name="Gold dealers", tier=gold, default_discount_percent=Decimal("10"))
    company = CompanyFactory(code="N0001", name="North Lights Ltd", tier=gold)
    Address.objects.create(
        company=company, name="North Lights Ltd", line1="12 Mill Lane", city="Leeds", postal_code="LS1 4AB",
        country="United Kingdom", is_default_shipping=True,
    )
    buyer = _user("buyer@north.example", company, order_limit=Decimal("500.00"))
    approver = _user("approver@north.example", company, role=Membership.Role.ADMIN)

    lanterns = CategoryFactory(name="Lanterns", slug="lanterns")
    mugs = CategoryFactory(name="Mugs", slug="mugs")
    variants = {
        "LAN-100": _variant("LAN-100", "Brass storm lantern", "20.00", 50, lanterns),
        "LAN-200": _variant("LAN-200", "Glass tea-light lantern", "5.00", 200, lanterns, order_multiple=6, min_quantity=6),
        "MUG-300": _variant("MUG-300", "Enamel camping mug", "8.00", 100, mugs),
        "MUG-301": _variant("MUG-301", "Enamel mug, blue", "8.00", 0, mugs),
    }
    refresh_documents()  # made without the catalog services, which keep the search documents

    past = OrderFactory(
        number=PAST_ORDER, company=company, user=buyer, placed_at=datetime(2026, 6, 1, 9, 30, tzinfo=UTC),
        subtotal=Decimal("63.00"), total=Decimal("63.00"), discount_total=Decimal("7.00"),
    )
    OrderLineFactory(order=past, line_number=1, variant=variants["LAN-100"], sku="LAN-100", product_name="Brass storm lantern",
                     quantity=2, list_price=Decimal("20.00"), unit_price=Decimal("18.00"), discount_total=Decimal("4.00"),
                     line_total=Decimal("36.00"))
    OrderLineFactory(order=past, line_number=2, variant=variants["LAN-200"], sku="LAN-200", product_name="Glass tea-light lantern",
                     quantity=6, list_price=Decimal("5.00"), unit_price=Decimal("4.50"), discount_total=Decimal("3.00"),
                     line_total=Decimal("27.00"))

    south = CompanyFactory(code="S0001", name="South Supplies Ltd", tier=gold)
    other_buyer = _user("buyer@south.example", south)
    other = OrderFactory(number=OTHER_ORDER, company=south, user=other_buyer, subtotal=Decimal("99.00"), total=Decimal("99.00"))
    return Scenario(company, buyer, approver, other_buyer, variants, past, other)
