"""Dealer companies, their tiers and regions, their users and addresses."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class Tier(models.Model):
    """A price tier. `rank` orders tiers from best (1) to plainest."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=64)
    rank = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """A sales region; the imported data uses one region per country."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=128)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Company(models.Model):
    """A dealer or distributor. `code` is the vendor's customer number (the ERP's key)."""

    class Kind(models.TextChoices):
        DEALER = "dealer", gettext_lazy("Dealer")
        DISTRIBUTOR = "distributor", gettext_lazy("Distributor")

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DEALER)
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="companies")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="companies")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="sub_dealers")
    currency = models.CharField(max_length=3, default="GBP")
    is_active = models.BooleanField(default=True)
    # Incremented on every change that the ERP hears of (per-aggregate event sequence).
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Membership(models.Model):
    """A user's place in one dealer company. A user belongs to at most one company."""

    class Role(models.TextChoices):
        BUYER = "buyer", gettext_lazy("Buyer")
        APPROVER = "approver", gettext_lazy("Approver")
        ADMIN = "admin", gettext_lazy("Dealer admin")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.BUYER)
    # Buyer approvals: an order above this total (company currency) waits for a dealer admin
    # or approver. Empty means no limit.
    order_limit = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} @ {self.company.code} ({self.role})"


class Address(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(max_length=255)
    line1 = models.CharField(max_length=255)
    line2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=128)
    postal_code = models.CharField(max_length=32, blank=True)
    country = models.CharField(max_length=128)
    is_default_shipping = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=Q(is_default_shipping=True), name="one_default_ship_to"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"

    def as_snapshot(self) -> dict:
        return {
            "name": self.name,
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "postal_code": self.postal_code,
            "country": self.country,
        }
