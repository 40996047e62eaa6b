"""The dealer ledger: invoices, credit notes, payment receipts, allocations and the
append-only ledger entries that every balance is derived from.

Signs: a ledger entry's `amount` is what the dealer owes because of it. An invoice or a
refund (money paid back) is positive, a payment or a credit note negative; the balance is
their sum, and a negative balance is money the dealer has in credit with us.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from partners.models import CreditAccount

MONEY = {"max_digits": 14, "decimal_places": 2}


class AppendOnlyError(Exception):
    """An attempt to change or delete a row of an append-only table."""


class NumberSeries(models.Model):
    """The next number of a gapless series ("INV-2026", "CN-2026"). The row is locked with
    SELECT ... FOR UPDATE by the transaction that takes a number, so a rolled-back
    transaction gives its number back and no number is ever skipped or used twice."""

    key = models.CharField(max_length=32, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "number series"

    def __str__(self) -> str:
        return f"{self.key}: {self.last_number}"


class Invoice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("Open")
        PARTIALLY_PAID = "partially_paid", gettext_lazy("Partially paid")
        PAID = "paid", gettext_lazy("Paid")

    number = models.CharField(max_length=32, unique=True)
    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="invoices")
    order = models.ForeignKey("storefront.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    # The shipment this invoice is for (shipment mode); blank for an invoice of the whole order.
    shipment_reference = models.CharField(max_length=64, blank=True)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(**MONEY)
    discount_total = models.DecimalField(**MONEY, default=0)
    tax_total = models.DecimalField(**MONEY, default=0)
    total = models.DecimalField(**MONEY)
    # Sum of the allocations to it (payments and credit notes): kept with the invoice row locked.
    amount_allocated = models.DecimalField(**MONEY, default=0)
    # The part of the dealer's credit (CreditAccount.outstanding) this invoice still holds:
    # never more than what is open on it, so paying it gives the credit back.
    credit_held = models.DecimalField(**MONEY, default=0)
    on_account = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_on = models.DateField()
    due_on = models.DateField()
    terms = models.CharField(max_length=64, blank=True)  # as printed: "Net 30"
    erp_number = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "shipment_reference"], name="one_invoice_per_order_shipment"),
            models.CheckConstraint(condition=Q(total__gte=0), name="invoice_total_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_allocated__gte=0, amount_allocated__lte=F("total")),
                name="invoice_allocations_within_total",
            ),
            models.CheckConstraint(
                condition=Q(credit_held__gte=0, credit_held__lte=F("total") - F("amount_allocated")),
                name="invoice_credit_held_within_open",
            ),
        ]
        indexes = [models.Index(fields=["company", "status", "due_on"], name="invoice_company_open_due")]

    def __str__(self) -> str:
        return self.number

    @property
    def amount_open(self):
        return self.total - self.amount_allocated

    def days_overdue(self, today) -> int:
        return max(0, (today - self.due_on).days)


class InvoiceLine(models.Model):
    """A frozen copy of what is invoiced: from the order line, for the quantity invoiced."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    order_line = models.ForeignKey("storefront.OrderLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sku = models.CharField(max_length=64)
    description = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(**MONEY)
    line_total = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["invoice", "line_number"]
        constraints = [models.UniqueConstraint(fields=["invoice", "line_number"], name="one_line_number_per_invoice")]


class CreditNote(models.Model):
    number = models.CharField(max_length=32, unique=True)
    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="credit_notes")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**MONEY)
    # Allocated to invoices or paid out as refunds; the rest is credit the dealer still has.
    amount_applied = models.DecimalField(**MONEY, default=0)
    reason = models.CharField(max_length=255)
    source_reference = models.CharField(max_length=128, blank=True)  # e.g. the RMA number
    lines = models.JSONField(default=list, blank=True)  # [{"sku", "description", "quantity", "unit_price", "line_total"}]
    idempotency_key = models.CharField(max_length=128)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_on = models.DateField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "idempotency_key"], name="one_credit_note_per_key"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_note_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_applied__gte=0, amount_applied__lte=F("amount")), name="credit_note_applied_within_amount"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def amount_unapplied(self):
        return self.amount - self.amount_applied


class PaymentReceipt(models.Model):
    """Money received from a dealer (bank transfer, card, the ERP's report, rebate credit)."""

    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="payment_receipts")
    order = models.ForeignKey("storefront.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**MONEY)
    # Allocated to invoices or paid back as refunds; the rest is on account as the dealer's credit.
    amount_applied = models.DecimalField(**MONEY, default=0)
    method = models.CharField(max_length=16)  # one of storefront Order.PaymentMethod values
    reference = models.CharField(max_length=128, blank=True)
    idempotency_key = models.CharField(max_length=128)
    received_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "idempotency_key"], name="one_receipt_per_key"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_applied__gte=0, amount_applied__lte=F("amount")), name="receipt_applied_within_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} from {self.company_id} ({self.reference or self.method})"

    @property
    def amount_unapplied(self):
        return self.amount - self.amount_applied


class AppendOnlyModel(models.Model):
    """Rows are written once: save() of an existing row and delete() raise AppendOnlyError.
    On PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE as well."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only; record a correcting entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only; record a correcting entry instead.")


class LedgerEntry(AppendOnlyModel):
    class Kind(models.TextChoices):
        INVOICE = "invoice", gettext_lazy("Invoice")
        PAYMENT = "payment", gettext_lazy("Payment")
        CREDIT_NOTE = "credit_note", gettext_lazy("Credit note")
        REFUND = "refund", gettext_lazy("Refund")

    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**MONEY)  # + the dealer owes more, - the dealer owes less
    occurred_on = models.DateField()
    document = models.CharField(max_length=64)  # invoice / credit note number, payment reference
    description = models.CharField(max_length=255, blank=True)
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    credit_note = models.ForeignKey(CreditNote, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    receipt = models.ForeignKey(PaymentReceipt, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)  # refunds
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="one_ledger_entry_per_key",
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=["invoice", "refund"], amount__gt=0) | Q(kind__in=["payment", "credit_note"], amount__lt=0)),
                name="ledger_entry_sign_by_kind",
            ),
        ]
        indexes = [models.Index(fields=["company", "occurred_on"], name="ledger_company_date")]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.kind} {self.document} {self.amount} {self.currency}"


class Allocation(AppendOnlyModel):
    """Part of a payment or credit note applied to an invoice, or paid back in a refund.

    A negative amount undoes part of an earlier allocation (a refund of a payment that had
    been applied to an invoice re-opens that invoice): corrections are new rows.
    """

    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="+")
    receipt = models.ForeignKey(PaymentReceipt, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations")
    credit_note = models.ForeignKey(CreditNote, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations")
    refund = models.ForeignKey(LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(**MONEY)
    applied_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["applied_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(receipt__isnull=False, credit_note__isnull=True) | Q(receipt__isnull=True, credit_note__isnull=False),
                name="allocation_one_source",
            ),
            models.CheckConstraint(
                condition=Q(invoice__isnull=False, refund__isnull=True) | Q(invoice__isnull=True, refund__isnull=False),
                name="allocation_one_target",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="allocation_not_zero"),
        ]


class DealerAccount(CreditAccount):
    """The back office's view of a dealer's account with us (balance, aging, statements, hold
    release): the partners credit account, shown by billing's admin. No table of its own."""

    class Meta:
        proxy = True
        verbose_name = "dealer account"
