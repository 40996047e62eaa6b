"""Shipments of an order, as the ERP reports them: partial fulfilment with tracking numbers."""

from django.db import models
from django.utils import timezone


class Shipment(models.Model):
    order = models.ForeignKey("storefront.Order", on_delete=models.PROTECT, related_name="shipments")
    # The ERP's shipment reference; the same reference twice is the same shipment.
    reference = models.CharField(max_length=64)
    carrier = models.CharField(max_length=64, blank=True)
    tracking_numbers = models.JSONField(default=list, blank=True)
    warehouse = models.ForeignKey("catalog.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    shipped_at = models.DateTimeField(default=timezone.now)
    invoice_number = models.CharField(max_length=32, blank=True, help_text="The invoice of this shipment (shipment invoicing).")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["order", "shipped_at", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "reference"], name="one_shipment_per_order_reference")]

    def __str__(self) -> str:
        return f"{self.reference} of order {self.order_id}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("storefront.OrderLine", on_delete=models.PROTECT, related_name="shipment_lines")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["shipment", "order_line__line_number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="shipment_line_quantity_positive"),
            models.UniqueConstraint(fields=["shipment", "order_line"], name="one_shipment_line_per_order_line"),
        ]
