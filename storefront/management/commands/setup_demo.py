"""Create the demo logins on top of imported data, and fill the dashboards. Safe to run again."""

import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count

from insights import services
from partners.models import Address, Company, Membership
from pricing_engine.models import PriceBreak, PriceList, PriceListItem
from security.staff_roles import setup_staff_roles
from storefront.models import Order

DEALER_EMAIL, DEALER_PASSWORD = "dealer@demo.test", "demo-dealer-1"
STAFF_EMAIL, STAFF_PASSWORD = "staff@demo.test", "demo-staff-1"
# A dealer admin of the same company: approves the demo buyer's orders above its limit.
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@demo.test", "demo-admin-1"
DEMO_BUYER_LIMIT = Decimal("500.00")


class Command(BaseCommand):
    help = (
        "Create the demo dealer buyer and admin (of the busiest Gold dealer) and the demo staff superuser, "
        "and refresh the insights facts for the imported orders."
    )

    def handle(self, *args, **options):
        self._logins()
        # The demo runs no Celery beat: fill the dashboards' sales facts for the imported orders
        # now (only the days that changed, so a second run is quick).
        started = time.monotonic()
        result = services.refresh_changed_days()
        self.stdout.write(
            f"Insights refreshed: {result.days} days, {result.sales_rows} sales rows "
            f"({time.monotonic() - started:.1f} s); after placing orders run manage.py refresh_insights"
        )

    @transaction.atomic
    def _logins(self) -> None:
        User = get_user_model()
        company = (
            Company.objects.filter(tier__code="GOLD")
            .annotate(n=Count("orders"))
            .order_by("-n", "code")
            .first()
        )
        if company is None:
            raise CommandError("No Gold-tier dealer yet: run import_online_retail first.")
        dealer, _ = User.objects.get_or_create(username=DEALER_EMAIL, defaults={"email": DEALER_EMAIL, "first_name": "Demo"})
        if not dealer.check_password(DEALER_PASSWORD):
            dealer.set_password(DEALER_PASSWORD)
            dealer.save()
        Membership.objects.update_or_create(
            user=dealer, defaults={"company": company, "role": Membership.Role.BUYER, "order_limit": DEMO_BUYER_LIMIT}
        )
        admin, _ = User.objects.get_or_create(username=ADMIN_EMAIL, defaults={"email": ADMIN_EMAIL, "first_name": "Demo admin"})
        if not admin.check_password(ADMIN_PASSWORD):
            admin.set_password(ADMIN_PASSWORD)
            admin.save()
        Membership.objects.update_or_create(user=admin, defaults={"company": company, "role": Membership.Role.ADMIN})
        if not company.addresses.exists():
            Address.objects.create(
                company=company, name=company.name, line1="1 Demo Street", city="London",
                postal_code="EC1A 1AA", country=company.region.name if company.region_id else "United Kingdom",
                is_default_shipping=True,
            )
        self._contract(company)

        staff, _ = User.objects.get_or_create(username=STAFF_EMAIL, defaults={"email": STAFF_EMAIL})
        staff.is_staff = staff.is_superuser = True
        if not staff.check_password(STAFF_PASSWORD):
            staff.set_password(STAFF_PASSWORD)
        staff.save()
        setup_staff_roles()  # the five staff groups (docs/security.md): put staff in them in the back office
        self.stdout.write(f"Demo dealer: {DEALER_EMAIL} buys for {company} ({company.tier})")

    def _contract(self, company: Company) -> None:
        """A contract price on the dealer's three most ordered SKUs, so the demo shows one."""
        price_list, created = PriceList.objects.get_or_create(
            kind=PriceList.Kind.CONTRACT, company=company, defaults={"name": f"Contract {company.code}", "currency": company.currency}
        )
        if not created:
            return
        top = (
            Order.objects.filter(company=company)
            .values("lines__variant_id", "lines__variant__list_price")
            .annotate(n=Count("id"))
            .exclude(lines__variant_id=None)
            .order_by("-n", "lines__variant_id")[:3]
        )
        for row in top:
            list_price = row["lines__variant__list_price"]
            PriceListItem.objects.create(
                price_list=price_list, variant_id=row["lines__variant_id"], unit_price=(list_price * Decimal("0.80")).quantize(Decimal("0.01"))
            )
            PriceBreak.objects.create(
                price_list=price_list, variant_id=row["lines__variant_id"], min_quantity=48,
                unit_price=(list_price * Decimal("0.70")).quantize(Decimal("0.01")),
            )
