"""Deal registration (报备): a dealer's claim on a prospect, reviewed by vendor staff and, once
approved, protected from other dealers for a period."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class Deal(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        SUBMITTED = "submitted", gettext_lazy("Submitted for review")
        APPROVED = "approved", gettext_lazy("Approved (protected)")
        REJECTED = "rejected", gettext_lazy("Rejected")
        WON = "won", gettext_lazy("Won")
        LOST = "lost", gettext_lazy("Lost")
        EXPIRED = "expired", gettext_lazy("Expired")

    # The registering dealer (named `company` like every dealer-owned row, so threads and
    # scoping treat it the same way as an order).
    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="deals")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)

    # The prospect, as the dealer entered it.
    prospect_name = models.CharField(max_length=255)
    tax_number = models.CharField(max_length=64, blank=True, help_text="VAT, company or unified social credit number.")
    website = models.CharField(max_length=255, blank=True)
    contact_name = models.CharField(max_length=255, blank=True)
    contact_email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    city = models.CharField(max_length=128, blank=True)
    region = models.ForeignKey("partners.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    products_of_interest = models.TextField(blank=True)
    expected_value = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3)
    expected_close_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    # Normalised keys of the duplicate check (deals/matching.py), kept on save by the services.
    name_key = models.CharField(max_length=255, blank=True, db_index=True)
    tax_key = models.CharField(max_length=64, blank=True, db_index=True)
    domain_key = models.CharField(max_length=255, blank=True, db_index=True)
    phone_key = models.CharField(max_length=32, blank=True, db_index=True)

    protected_until = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    # Vendor specialists on the deal team (the dealer's own users are on it by their company).
    specialists = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="deal_teams")
    # Set once when the "protection ends in 7 days" reminder went out (the task claims it).
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-created_at"], name="deal_company_recent"),
            models.Index(fields=["state", "protected_until"], name="deal_state_protection"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(expected_value__gte=0), name="deal_value_not_negative"),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(protected_until__isnull=False), name="approved_deal_is_protected"
            ),
        ]

    def __str__(self) -> str:
        return f"Deal {self.pk}: {self.prospect_name} ({self.get_state_display()})"


class DealTransition(models.Model):
    """Every change of a deal's state (and every extension or transfer), never edited."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=16, choices=Deal.State.choices)
    to_state = models.CharField(max_length=16, choices=Deal.State.choices)
    action = models.CharField(max_length=16, help_text="submit, approve, reject, win, lose, expire, extend, transfer")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} -> {self.to_state}"


class DealMatch(models.Model):
    """A possible duplicate found by the last check of `deal` (replaced at each check)."""

    class Reason(models.TextChoices):
        TAX_NUMBER = "tax_number", gettext_lazy("Same tax number")
        DOMAIN = "domain", gettext_lazy("Same domain")
        PHONE = "phone", gettext_lazy("Same phone")
        NAME = "name", gettext_lazy("Similar name")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="matches")
    other = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="+")
    reasons = models.JSONField(default=list)
    score = models.DecimalField(max_digits=5, decimal_places=1, help_text="Name similarity 0-100.")
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["-score", "other_id"]
        constraints = [models.UniqueConstraint(fields=["deal", "other"], name="one_match_per_pair")]


class DealOrder(models.Model):
    """An order the dealer placed for the deal's prospect (attribution). An order counts
    towards one deal at most."""

    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="attributions")
    order = models.OneToOneField("storefront.Order", on_delete=models.CASCADE, related_name="deal_attribution")
    attributed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-attributed_at", "-id"]
