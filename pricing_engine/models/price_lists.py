"""Price lists for tiers and contract prices for single dealers.

The rule that turns these into a dealer's price lives in pricing_engine/core (pure Python);
pricing_engine/loaders.py reads these rows into the core's types.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class PriceList(models.Model):
    """Prices for one tier (a tier list) or for one dealer (its contract)."""

    class Kind(models.TextChoices):
        TIER = "tier", "Tier price list"
        CONTRACT = "contract", "Dealer contract"

    name = models.CharField(max_length=128)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    tier = models.ForeignKey("partners.Tier", null=True, blank=True, on_delete=models.PROTECT, related_name="price_lists")
    company = models.ForeignKey(
        "partners.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="contract_price_lists"
    )
    currency = models.CharField(max_length=3, default="GBP")
    default_discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Percentage off the list price for SKUs without an explicit price. Empty: explicit prices only.",
    )
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    # Among lists of the same kind that apply, the lowest priority number wins.
    priority = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "priority", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="tier", tier__isnull=False, company__isnull=True))
                | (Q(kind="contract", company__isnull=False, tier__isnull=True)),
                name="price_list_targets_tier_or_company",
            ),
            models.CheckConstraint(
                condition=Q(default_discount_percent__isnull=True)
                | (Q(default_discount_percent__gte=0) & Q(default_discount_percent__lte=100)),
                name="price_list_discount_between_0_and_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": "must be after valid from"})


class PriceListItem(models.Model):
    """An explicit unit price for one SKU in one price list."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="price_list_items")
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["price_list", "variant"], name="one_price_per_sku_per_list"),
            models.CheckConstraint(condition=Q(unit_price__gte=Decimal("0")), name="price_list_item_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.variant.sku} at {self.unit_price} in {self.price_list}"


class PriceBreak(models.Model):
    """Volume break: from `min_quantity` units on, the unit price in this list is `unit_price`."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="breaks")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="price_breaks")
    min_quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["variant", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "variant", "min_quantity"], name="one_break_per_quantity"),
            models.CheckConstraint(condition=Q(min_quantity__gte=2), name="price_break_from_two_units"),
            models.CheckConstraint(condition=Q(unit_price__gte=Decimal("0")), name="price_break_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.variant.sku} {self.min_quantity}+ at {self.unit_price}"
