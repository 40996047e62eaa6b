"""Credit accounts: how much a dealer may owe on account, and on which terms."""

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_lazy


class CreditAccount(models.Model):
    """What a dealer may owe on account. `outstanding` is on-account debt not yet paid: open
    orders and the unpaid part of their invoices (billing keeps it equal to the ledger's view).

    The limit is checked and `outstanding` raised in one conditional UPDATE, so two orders
    can never both pass the last of the limit.
    """

    class Terms(models.TextChoices):
        PREPAID = "prepaid", gettext_lazy("Prepaid (no orders on account)")
        NET = "net", gettext_lazy("Net N days (e.g. net 30)")
        END_OF_MONTH = "end_of_month", gettext_lazy("End of month + N days")

    company = models.OneToOneField("partners.Company", on_delete=models.CASCADE, related_name="credit_account")
    currency = models.CharField(max_length=3, default="GBP")
    credit_limit = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    outstanding = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    payment_terms = models.CharField(max_length=16, choices=Terms.choices, default=Terms.NET)
    payment_terms_days = models.PositiveSmallIntegerField(
        default=30, help_text="N of the terms: net 15/30/60, or the days after the end of the month."
    )
    overdue_grace_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days past due before unpaid invoices stop new orders on account."
    )
    on_hold = models.BooleanField(default=False, help_text="Finance hold: no new orders on account.")
    # Finance may let a dealer with overdue invoices order on account again until a date.
    hold_released_until = models.DateField(null=True, blank=True)
    hold_released_at = models.DateTimeField(null=True, blank=True)
    hold_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hold_release_note = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(outstanding__gte=0), name="credit_outstanding_not_negative"),
            models.CheckConstraint(
                condition=Q(outstanding__lte=F("credit_limit")), name="credit_outstanding_within_limit"
            ),
        ]

    def __str__(self) -> str:
        return f"Credit of {self.company.code}: {self.outstanding}/{self.credit_limit} {self.currency}"

    @property
    def available(self) -> Decimal:
        return self.credit_limit - self.outstanding

    @property
    def terms_label(self) -> str:
        if self.payment_terms == self.Terms.PREPAID:
            return "Prepaid"
        if self.payment_terms == self.Terms.END_OF_MONTH:
            return f"End of month + {self.payment_terms_days} days"
        return f"Net {self.payment_terms_days}"

    @property
    def terms_display(self) -> str:
        """`terms_label` in the reader's language, for pages (the label itself is printed on
        invoices and sent to the ERP, so it stays English)."""
        if self.payment_terms == self.Terms.PREPAID:
            return gettext("Prepaid")
        if self.payment_terms == self.Terms.END_OF_MONTH:
            return gettext("End of month + %(days)s days") % {"days": self.payment_terms_days}
        return gettext("Net %(days)s") % {"days": self.payment_terms_days}

    def due_date(self, issued_on: date) -> date:
        return due_date(self.payment_terms, self.payment_terms_days, issued_on)

    def hold_released_on(self, today: date) -> bool:
        return self.hold_released_until is not None and self.hold_released_until >= today


def due_date(terms: str, days: int, issued_on: date) -> date:
    """When an invoice issued on `issued_on` falls due: prepaid at once, net N days after the
    invoice, end of month + N days after the last day of the invoice's month."""
    if terms == CreditAccount.Terms.PREPAID:
        return issued_on
    if terms == CreditAccount.Terms.END_OF_MONTH:
        last = calendar.monthrange(issued_on.year, issued_on.month)[1]
        return issued_on.replace(day=last) + timedelta(days=days)
    return issued_on + timedelta(days=days)
