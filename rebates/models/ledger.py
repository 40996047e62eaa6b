"""The accrual ledger: one row per dealer and program period (the row locked while accruing),
append-only entries, and the settlement computed from scratch at period close."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from rebates.models.programs import MONEY, RATE, RebateProgram


class DealerPeriod(models.Model):
    """A dealer in one period of a program. `volume` and `accrued` are the running sums of
    its entries, changed only under this row's lock (select_for_update)."""

    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("Open")
        SETTLED = "settled", gettext_lazy("Settled")

    program = models.ForeignKey(RebateProgram, on_delete=models.PROTECT, related_name="periods")
    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="rebate_periods")
    starts_on = models.DateField()
    ends_on = models.DateField()
    volume = models.DecimalField(**MONEY, default=0)
    accrued = models.DecimalField(**MONEY, default=0)
    # The same period last year, for the growth target (worked out when the row is made).
    last_year_volume = models.DecimalField(**MONEY, default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-starts_on", "program", "company"]
        constraints = [
            models.UniqueConstraint(fields=["program", "company", "starts_on"], name="one_rebate_period_per_dealer"),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.company} · {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"


class AccrualEntry(models.Model):
    """Append-only: never edited, never deleted; corrections are new entries."""

    class Kind(models.TextChoices):
        ORDER = "order", gettext_lazy("Order")
        RETURN = "return", gettext_lazy("Return")
        CANCELLATION = "cancellation", gettext_lazy("Order cancelled")
        RETROACTIVE = "retroactive", gettext_lazy("Retroactive difference (a target crossed)")
        SETTLEMENT = "settlement", gettext_lazy("Settlement adjustment")

    period = models.ForeignKey(DealerPeriod, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    order = models.ForeignKey("storefront.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    return_request = models.ForeignKey("storefront.Return", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    volume_change = models.DecimalField(**MONEY, default=0)
    rate = models.DecimalField(**RATE)  # the rate reached after this entry
    amount = models.DecimalField(**MONEY)
    volume_after = models.DecimalField(**MONEY)
    accrued_after = models.DecimalField(**MONEY)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "id"]
        verbose_name_plural = "accrual entries"
        constraints = [
            # An order or a return is accrued once per period (accrue_order is idempotent).
            models.UniqueConstraint(fields=["period", "order"], condition=Q(kind="order"), name="one_accrual_per_order"),
            models.UniqueConstraint(fields=["period", "return_request"], condition=Q(kind="return"), name="one_reversal_per_return"),
        ]


class Settlement(models.Model):
    """What a dealer earned in a closed period, computed from the orders and returns
    themselves (not from the ledger), next to what was accrued; finance approves it and it is
    paid as rebate credit or as a credit note."""

    class Status(models.TextChoices):
        COMPUTED = "computed", gettext_lazy("Waiting for review")
        APPROVED = "approved", gettext_lazy("Approved")
        PAID = "paid", gettext_lazy("Paid")

    period = models.OneToOneField(DealerPeriod, on_delete=models.PROTECT, related_name="settlement")
    volume = models.DecimalField(**MONEY)
    last_year_volume = models.DecimalField(**MONEY, default=0)
    orders_counted = models.PositiveIntegerField(default=0)
    returns_counted = models.PositiveIntegerField(default=0)
    rate = models.DecimalField(**RATE)
    amount = models.DecimalField(**MONEY)  # what is paid
    accrued = models.DecimalField(**MONEY)  # what the ledger held at close
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.COMPUTED)
    computed_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payout = models.CharField(max_length=16, choices=RebateProgram.Payout.choices, blank=True)
    payout_reference = models.CharField(max_length=64, blank=True)  # wallet entry id or credit note number

    class Meta:
        ordering = ["-period__starts_on", "period__company__name"]

    @property
    def difference(self):
        """Settlement less accrual: non-zero when the ledger missed something (e.g. orders
        imported without accrual); the settlement is what is paid."""
        return self.amount - self.accrued

    def __str__(self) -> str:
        return f"Settlement {self.period}"
