"""Credit accounts: how much a dealer may owe on account."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q


class CreditAccount(models.Model):
    """What a dealer may owe on account. `outstanding` is open orders not yet paid.

    The limit is checked and `outstanding` raised in one conditional UPDATE, so two orders
    can never both pass the last of the limit.
    """

    company = models.OneToOneField("partners.Company", on_delete=models.CASCADE, related_name="credit_account")
    currency = models.CharField(max_length=3, default="GBP")
    credit_limit = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    outstanding = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    payment_terms_days = models.PositiveSmallIntegerField(default=30)
    on_hold = models.BooleanField(default=False, help_text="Finance hold: no new orders on account.")
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
