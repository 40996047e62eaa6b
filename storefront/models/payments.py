"""Payments against orders, refunds of them, and the Stripe events already seen.

A Payment is one way money came in for an order: a card PaymentIntent, a bank transfer,
a receipt the ERP reported, a payment on account, or rebate credit spent at checkout.
`captured_amount` is what actually arrived; `refunded_amount` is what was sent back or is
being sent back (a refund reserves its amount before Stripe is asked), and the database
keeps refunded ≤ captured ≤ amount.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy

from storefront.models.money import MONEY
from storefront.models.orders import Order


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        REQUIRES_ACTION = "requires_action", gettext_lazy("Waiting for the buyer (card authentication)")
        PROCESSING = "processing", gettext_lazy("Processing")
        SUCCEEDED = "succeeded", gettext_lazy("Succeeded")
        FAILED = "failed", gettext_lazy("Failed")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=16, choices=Order.PaymentMethod.choices)
    amount = models.DecimalField(**MONEY)  # what this payment is meant to bring in
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    captured_amount = models.DecimalField(**MONEY, default=0)
    refunded_amount = models.DecimalField(**MONEY, default=0)
    stripe_payment_intent_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # Why the last card attempt failed, as Stripe put it (shown to the buyer on the card page).
    failure_message = models.CharField(max_length=255, blank=True)
    reference = models.CharField(max_length=128, blank=True)  # bank reference, ERP receipt number
    idempotency_key = models.CharField(max_length=160, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        permissions = [("refund_payment", "Can refund payments to dealers")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(captured_amount__gte=0, captured_amount__lte=F("amount")), name="payment_captured_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("captured_amount")),
                name="payment_refunds_within_captured",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount} {self.currency} for {self.order}"

    @property
    def refundable(self):
        return self.captured_amount - self.refunded_amount


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")  # amount reserved on the payment; Stripe not yet sure
        SUCCEEDED = "succeeded", gettext_lazy("Succeeded")
        FAILED = "failed", gettext_lazy("Failed")  # reservation given back

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=255, blank=True)
    stripe_refund_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    failure_message = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=160, unique=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["payment", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"refund {self.amount} {self.currency} of {self.payment_id}"


class StripeEvent(models.Model):
    """Each Stripe event id once: a replayed delivery finds its row and changes nothing."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", gettext_lazy("Applied")
        IGNORED = "ignored", gettext_lazy("Not ours or nothing to do")

    event_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    detail = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
