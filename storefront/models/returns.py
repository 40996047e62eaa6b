"""Returns: goods a dealer sends back."""

from django.db import models
from django.utils import timezone

from storefront.models.money import MONEY
from storefront.models.orders import Order


class Return(models.Model):
    """Goods a dealer sent back. Imported from cancellation invoices ("C…") for now."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        COMPLETED = "completed", "Completed"

    number = models.CharField(max_length=32, unique=True)
    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="returns")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="returns")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    source = models.CharField(max_length=16, choices=Order.Source.choices, default=Order.Source.STOREFRONT)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(**MONEY)
    placed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-placed_at", "-id"]

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    return_request = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    variant = models.ForeignKey("catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sku = models.CharField(max_length=64)
    product_name = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(**MONEY)
    line_total = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["return_request", "line_number"]
