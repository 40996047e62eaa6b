"""factory-boy factories for the whole project (keep them general: other suites use them).

    dealer = UserFactory(company=CompanyFactory(tier=TierFactory(code="gold", name="Gold")))
    variant = VariantFactory(sku="AB-1", list_price=Decimal("2.55"), stock=40)
    PriceListFactory(tier=gold, default_discount_percent=Decimal("10"))
"""

from datetime import UTC, datetime
from decimal import Decimal

import factory
from django.conf import settings
from django.contrib.auth import get_user_model

from catalog.models import Category, Product, Stock, Variant, Warehouse
from catalog.search.documents import refresh_documents, refresh_stock_and_prices
from partners.models import Company, CreditAccount, Membership, Region, Tier
from pricing_engine.models import PriceBreak, PriceList, PriceListItem, Promotion, Voucher
from storefront.models import Order, OrderLine

PASSWORD = "correct horse battery"


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"tier-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())
    rank = 100


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())


class CompanyFactory(factory.django.DjangoModelFactory):
    """A dealer with a credit account of 10,000 in its currency.

    `credit_account__credit_limit=Decimal("5")` changes the limit; `credit_account=None` gives none.
    """

    class Meta:
        model = Company
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"D{n:05d}")
    name = factory.Sequence(lambda n: f"Dealer {n} Ltd")
    tier = None
    region = None
    currency = "GBP"
    credit_account = factory.RelatedFactory("tests.factories.CreditAccountFactory", factory_related_name="company")


class CreditAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreditAccount

    company = factory.SubFactory(CompanyFactory, credit_account=None)
    currency = factory.LazyAttribute(lambda o: o.company.currency)
    credit_limit = Decimal("10000.00")
    outstanding = Decimal("0")


class UserFactory(factory.django.DjangoModelFactory):
    """A user whose username is its e-mail, password PASSWORD; `company=` adds a Membership."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    username = factory.LazyAttribute(lambda o: o.email)
    is_active = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def company(obj, create, extracted, role=Membership.Role.BUYER, **kwargs):
        obj.save()
        if create and extracted is not None:
            Membership.objects.create(user=obj, company=extracted, role=role)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Membership.Role.BUYER


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = settings.DEFAULT_WAREHOUSE_CODE
    name = "Main warehouse"
    priority = 10


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    parent = None


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n:04d}")
    slug = factory.Sequence(lambda n: f"product-{n:04d}")
    category = factory.SubFactory(CategoryFactory)
    description = ""


class VariantFactory(factory.django.DjangoModelFactory):
    """A SKU; `stock=N` puts N units on hand in the default warehouse (0: a row with none)."""

    class Meta:
        model = Variant
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = ""
    list_price = Decimal("10.00")
    currency = "GBP"

    @factory.post_generation
    def stock(obj, create, extracted, **kwargs):
        if create and extracted is not None:
            Stock.objects.create(variant=obj, warehouse=WarehouseFactory(), quantity_on_hand=extracted, **kwargs)

    @factory.post_generation
    def search_document(obj, create, extracted, **kwargs):
        # As the catalog services do: search reads the SKU's document (catalog/search/documents.py).
        if create:
            refresh_documents([obj.pk])


class StockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stock

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = super()._create(model_class, *args, **kwargs)
        refresh_stock_and_prices([row.variant_id])  # as the stock services do
        return row

    variant = factory.SubFactory(VariantFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    quantity_on_hand = 100
    quantity_allocated = 0


class PriceListFactory(factory.django.DjangoModelFactory):
    """A tier list by default (`tier=`); pass `company=` and kind=CONTRACT for a contract."""

    class Meta:
        model = PriceList

    name = factory.Sequence(lambda n: f"Price list {n}")
    kind = factory.LazyAttribute(lambda o: PriceList.Kind.CONTRACT if o.company else PriceList.Kind.TIER)
    tier = None
    company = None
    currency = "GBP"
    default_discount_percent = None
    priority = 100


class PriceListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceListItem

    price_list = factory.SubFactory(PriceListFactory)
    variant = factory.SubFactory(VariantFactory)
    unit_price = Decimal("9.00")


class PriceBreakFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceBreak

    price_list = factory.SubFactory(PriceListFactory)
    variant = factory.SubFactory(VariantFactory)
    min_quantity = 10
    unit_price = Decimal("8.00")


class OrderFactory(factory.django.DjangoModelFactory):
    """A confirmed order (no lines: add OrderLineFactory rows; totals are as given)."""

    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"T{n:08d}")
    company = factory.SubFactory(CompanyFactory)
    status = Order.Status.CONFIRMED
    currency = "GBP"
    subtotal = Decimal("10.00")
    discount_total = Decimal("0.00")
    tax_total = Decimal("0.00")
    total = Decimal("10.00")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    line_number = factory.Sequence(lambda n: n + 1)
    sku = factory.Sequence(lambda n: f"SKU-L{n:05d}")
    product_name = "Ordered product"
    quantity = 1
    list_price = Decimal("10.00")
    unit_price = Decimal("10.00")
    discount_total = Decimal("0.00")
    line_total = Decimal("10.00")


class PromotionFactory(factory.django.DjangoModelFactory):
    """10% off every product for every dealer, live around NOW, no caps."""

    class Meta:
        model = Promotion
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Promotion {n:03d}")
    kind = Promotion.Kind.PERCENT_OFF
    reward = factory.LazyFunction(lambda: {"percent": "10"})
    currency = "GBP"
    starts_at = datetime(2027, 3, 1, tzinfo=UTC)  # the pricing tests price at 2027-03-15
    ends_at = datetime(2027, 4, 1, tzinfo=UTC)
    priority = 100

    @factory.post_generation
    def relations(obj, create, extracted, **kwargs):
        if create:
            for name, values in kwargs.items():
                getattr(obj, name).set(values)


class VoucherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Voucher

    code = factory.Sequence(lambda n: f"CODE{n:03d}")
    name = ""
    amount = Decimal("10.00")
    currency = "GBP"
