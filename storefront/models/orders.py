"""Orders, with a frozen snapshot of every price."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from storefront.models.money import MONEY


class Order(models.Model):
    class Status(models.TextChoices):
        # Placed by a buyer above its order limit; waits for a dealer admin (nothing taken yet).
        PENDING_APPROVAL = "pending_approval", gettext_lazy("Waiting for approval")
        CONFIRMED = "confirmed", gettext_lazy("Confirmed")
        PARTIALLY_FULFILLED = "partially_fulfilled", gettext_lazy("Partially shipped")
        FULFILLED = "fulfilled", gettext_lazy("Shipped")
        COMPLETED = "completed", gettext_lazy("Completed")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")
        # A dealer admin turned down a pending order; nothing was ever taken for it.
        REJECTED = "rejected", gettext_lazy("Rejected")

    class Source(models.TextChoices):
        STOREFRONT = "storefront", gettext_lazy("Storefront or API")
        REPLAY = "replay", gettext_lazy("Replayed history")
        IMPORT = "import", gettext_lazy("Imported history")

    class PaymentMethod(models.TextChoices):
        ON_ACCOUNT = "on_account", gettext_lazy("On account")
        BANK_TRANSFER = "bank_transfer", gettext_lazy("Bank transfer")
        CARD = "card", gettext_lazy("Card")
        REBATE_CREDIT = "rebate_credit", gettext_lazy("Rebate credit")

    class PaymentStatus(models.TextChoices):
        UNPAID = "unpaid", gettext_lazy("Unpaid")
        PARTIALLY_PAID = "partially_paid", gettext_lazy("Partially paid")
        PAID = "paid", gettext_lazy("Paid")
        PARTIALLY_REFUNDED = "partially_refunded", gettext_lazy("Partially refunded")
        REFUNDED = "refunded", gettext_lazy("Refunded")

    # Set right after insert from the primary key ("DM00000042"); imported history keeps the
    # source invoice number.
    number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="orders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.CONFIRMED)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.STOREFRONT)
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.ON_ACCOUNT)
    payment_status = models.CharField(max_length=24, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(**MONEY)  # sum of line totals (line promotions taken)
    discount_total = models.DecimalField(**MONEY)  # all savings against list, order discounts included
    order_discount_total = models.DecimalField(**MONEY, default=0)  # order promotions and vouchers
    tax_total = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)  # subtotal - order_discount_total + tax_total
    # Paid from the rebate wallet at checkout (a payment, not a discount): the rest is due.
    rebate_credit_used = models.DecimalField(**MONEY, default=0)
    # Snapshot of every order-level discount and voucher: name, kind, amount, share per line.
    discounts = models.JSONField(default=list, blank=True)
    ship_to = models.JSONField(null=True, blank=True)
    # What the buyer wrote at checkout, passed on to the ERP as given.
    po_number = models.CharField(max_length=64, blank=True)
    requested_delivery_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    # Buyer approvals: who decided a pending order, when, and why it was turned down.
    approval_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approval_decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    # What confirming a pending order will take, fixed when it was submitted: promotion budget
    # and voucher claims of the priced snapshot, and the deal it counts towards.
    approval_claims = models.JSONField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)
    placed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    # Per-order event sequence for the ERP (order.confirmed is 1).
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="one_order_per_idempotency_key",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]
        indexes = [models.Index(fields=["company", "-placed_at"], name="order_company_recent")]

    def __str__(self) -> str:
        return self.number or f"order #{self.pk}"


class OrderLine(models.Model):
    """A frozen line: what was ordered, at which price, and why (the waterfall)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    variant = models.ForeignKey("catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sku = models.CharField(max_length=64)
    product_name = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField()
    list_price = models.DecimalField(**MONEY)
    unit_price = models.DecimalField(**MONEY)
    discount_total = models.DecimalField(**MONEY)
    line_total = models.DecimalField(**MONEY)
    price_source = models.CharField(max_length=160, blank=True)
    waterfall = models.JSONField(default=list, blank=True)
    # Line-level amounts (e.g. buy X get Y) and this line's shares of the order discounts.
    adjustments = models.JSONField(default=list, blank=True)
    is_gift = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "line_number"]
        constraints = [models.UniqueConstraint(fields=["order", "line_number"], name="one_line_number_per_order")]
        # "You bought this before": the dealer's orders, probed for one SKU each.
        indexes = [models.Index(fields=["order", "variant"], name="orderline_order_variant")]
