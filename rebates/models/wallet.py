"""The rebate wallet: credit a dealer may spend at checkout, a ledger like the credit account."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy, pgettext_lazy

from rebates.models.programs import MONEY


class RebateWallet(models.Model):
    """`balance` is the sum of the entries, kept as a counter that only conditional UPDATEs
    change (never below zero: the UPDATE's WHERE and the database constraint both say so)."""

    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="rebate_wallets")
    currency = models.CharField(max_length=3)
    balance = models.DecimalField(**MONEY, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["company", "currency"], name="one_rebate_wallet_per_currency"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="rebate_wallet_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.currency}"


class WalletEntry(models.Model):
    """Append-only: credits are positive, spending negative; `balance_after` is the wallet's
    balance right after this entry."""

    class Kind(models.TextChoices):
        CREDIT = "credit", pgettext_lazy("wallet entry", "Credit")
        SPEND = "spend", gettext_lazy("Spent at checkout")
        REFUND = "refund", gettext_lazy("Refunded to the wallet")

    wallet = models.ForeignKey(RebateWallet, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = models.DecimalField(**MONEY)
    balance_after = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=255, blank=True)
    reference = models.CharField(max_length=128, blank=True)
    idempotency_key = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "wallet entries"
        constraints = [
            models.UniqueConstraint(fields=["wallet", "idempotency_key"], name="one_wallet_entry_per_key"),
        ]
