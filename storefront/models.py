"""Carts, orders (with a frozen snapshot of every price) and returns."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

MONEY = {"max_digits": 14, "decimal_places": 2}


class Cart(models.Model):
    """A buyer's open cart in its company. Prices are never stored here: always re-priced."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="carts")
    company = models.ForeignKey("partners.Company", on_delete=models.CASCADE, related_name="carts")
    # Codes the buyer entered, normalised; checked again every time the cart is priced.
    voucher_codes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="one_cart_per_buyer")]

    def __str__(self) -> str:
        return f"Cart of {self.user} ({self.company.code})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="one_cart_line_per_sku"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_positive"),
        ]


class Order(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Source(models.TextChoices):
        STOREFRONT = "storefront", "Storefront or API"
        REPLAY = "replay", "Replayed history"
        IMPORT = "import", "Imported history"

    class PaymentMethod(models.TextChoices):
        ON_ACCOUNT = "on_account", "On account"

    class PaymentStatus(models.TextChoices):
        UNPAID = "unpaid", "Unpaid"
        PAID = "paid", "Paid"

    # Set right after insert from the primary key ("DM00000042"); imported history keeps the
    # source invoice number.
    number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="orders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONFIRMED)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.STOREFRONT)
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.ON_ACCOUNT)
    payment_status = models.CharField(max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(**MONEY)  # sum of line totals (line promotions taken)
    discount_total = models.DecimalField(**MONEY)  # all savings against list, order discounts included
    order_discount_total = models.DecimalField(**MONEY, default=0)  # order promotions and vouchers
    tax_total = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)  # subtotal - order_discount_total + tax_total
    # Snapshot of every order-level discount and voucher: name, kind, amount, share per line.
    discounts = models.JSONField(default=list, blank=True)
    ship_to = models.JSONField(null=True, blank=True)
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
