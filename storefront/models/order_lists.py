"""Saved order lists (requisition lists): what a dealer orders again and again, in one click."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class OrderList(models.Model):
    """A named list of SKUs and quantities, shared by everyone in the dealer company."""

    company = models.ForeignKey("partners.Company", on_delete=models.CASCADE, related_name="order_lists")
    name = models.CharField(max_length=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="one_order_list_name_per_company")]

    def __str__(self) -> str:
        return f"{self.name} ({self.company.code})"


class OrderListLine(models.Model):
    order_list = models.ForeignKey(OrderList, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order_list", "variant"], name="one_order_list_line_per_sku"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_list_line_quantity_positive"),
        ]
