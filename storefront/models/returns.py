"""Returns (RMA): goods a dealer sends back, from request to credit."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from storefront.models.money import MONEY
from storefront.models.orders import Order, OrderLine


class Return(models.Model):
    """A return of lines of one order: requested by the dealer, approved or rejected by staff,
    completed when the goods are received (stock back, credit note, rebate reversed).
    Imported history ("C…" invoices) arrives completed."""

    class Status(models.TextChoices):
        REQUESTED = "requested", gettext_lazy("Requested")
        APPROVED = "approved", gettext_lazy("Approved, waiting for the goods")
        REJECTED = "rejected", gettext_lazy("Rejected")
        COMPLETED = "completed", gettext_lazy("Received and credited")

    number = models.CharField(max_length=32, unique=True)
    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="returns")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="returns")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    source = models.CharField(max_length=16, choices=Order.Source.choices, default=Order.Source.STOREFRONT)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(**MONEY)
    reason = models.TextField(blank=True)  # the dealer's
    rejection_reason = models.TextField(blank=True)  # staff's, shown to the dealer
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    credit_note_number = models.CharField(max_length=32, blank=True)
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)
    placed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    # Per-return event sequence for the ERP (return.approved is 1).
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "idempotency_key"], condition=Q(idempotency_key__isnull=False), name="one_return_per_idempotency_key"
            ),
        ]
        indexes = [models.Index(fields=["company", "-placed_at"], name="return_company_recent")]

    def __str__(self) -> str:
        return self.number

    @property
    def counts_against_order(self) -> bool:
        """Requested, approved and completed returns hold their quantities; rejected ones not."""
        return self.status != self.Status.REJECTED


class ReturnLine(models.Model):
    return_request = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    order_line = models.ForeignKey(OrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="return_lines")
    variant = models.ForeignKey("catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sku = models.CharField(max_length=64)
    product_name = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(**MONEY)
    line_total = models.DecimalField(**MONEY)  # what is credited for this line

    class Meta:
        ordering = ["return_request", "line_number"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_positive")]
