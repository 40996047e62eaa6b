"""Marketing development funds (费用管理, MDF): budgets, activity plans, approvals, proof, payout.

A Fund is a budget of one dealer (or of one region, shared by its dealers) for one period.
Its money moves in two steps, both kept in the row so one conditional UPDATE can guard them:
`reserved` is taken when a plan is finally approved, `consumed` when its claim is written off
(核销); the database keeps reserved + consumed <= budget, so the budget is never overspent.
Every movement is also appended to FundEntry, the fund's ledger.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from mall.uploads import StoredFileFields

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")


class Fund(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", gettext_lazy("Set by hand")
        PURCHASES_SHARE = "purchases_share", gettext_lazy("Share of last period's purchases")

    name = models.CharField(max_length=128, help_text='For example "MDF 2026 Q4".')
    company = models.ForeignKey("partners.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="marketing_funds")
    region = models.ForeignKey("partners.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="marketing_funds")
    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day of the period (inclusive).")
    currency = models.CharField(max_length=3, default="GBP")
    budget = models.DecimalField(**MONEY, default=ZERO)
    reserved = models.DecimalField(**MONEY, default=ZERO, editable=False, help_text="Approved plans not yet written off.")
    consumed = models.DecimalField(**MONEY, default=ZERO, editable=False, help_text="Written off (paid to dealers).")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    share_percent = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    basis_amount = models.DecimalField(**MONEY, null=True, blank=True, help_text="Purchases the share was taken of.")
    basis_start = models.DateField(null=True, blank=True)
    basis_end = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(company__isnull=False) & Q(region__isnull=True)) | (Q(company__isnull=True) & Q(region__isnull=False)),
                name="fund_for_one_dealer_or_one_region",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="fund_period_in_order"),
            models.CheckConstraint(condition=Q(reserved__gte=0) & Q(consumed__gte=0), name="fund_amounts_not_negative"),
            models.CheckConstraint(condition=Q(budget__gte=F("reserved") + F("consumed")), name="fund_never_overspent"),
            models.UniqueConstraint(fields=["company", "period_start"], condition=Q(company__isnull=False), name="one_fund_per_dealer_period"),
            models.UniqueConstraint(fields=["region", "period_start"], condition=Q(region__isnull=False), name="one_fund_per_region_period"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner_label})"

    @property
    def owner_label(self) -> str:
        if self.company_id:
            return self.company.name
        return f"region {self.region.name}"

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.reserved - self.consumed


class FundEntry(models.Model):
    """The fund's ledger (append-only): every change of budget, reservation and consumption."""

    class Kind(models.TextChoices):
        BUDGET = "budget", gettext_lazy("Budget set or changed")
        RESERVED = "reserved", gettext_lazy("Reserved by an approved plan")
        RELEASED = "released", gettext_lazy("Reservation released")
        CONSUMED = "consumed", gettext_lazy("Consumed by a write-off")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.DecimalField(**MONEY, help_text="Signed change of the budget, or the amount reserved/released/consumed.")
    plan = models.ForeignKey("expenses.ActivityPlan", null=True, blank=True, on_delete=models.PROTECT, related_name="fund_entries")
    note = models.CharField(max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["fund", "at", "id"]
        verbose_name_plural = "fund entries"


class ActivityPlan(FSMModelMixin, models.Model):
    """A dealer's marketing activity: planned, approved, executed with proof, audited, paid."""

    class Kind(models.TextChoices):
        TRADE_SHOW = "trade_show", gettext_lazy("Trade show")
        PROMOTION_DAY = "promotion_day", gettext_lazy("Promotion day")
        ADS = "ads", gettext_lazy("Advertising")
        TRAINING_EVENT = "training_event", gettext_lazy("Training event")

    class State(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        SUBMITTED = "submitted", gettext_lazy("Waiting for approval")
        APPROVED = "approved", gettext_lazy("Approved")
        REJECTED = "rejected", gettext_lazy("Rejected")
        CLAIMED = "claimed", gettext_lazy("Claim sent (proof and spend)")
        AUDITED = "audited", gettext_lazy("Audited, to be paid")
        CLAIM_REJECTED = "claim_rejected", gettext_lazy("Claim rejected")
        WRITTEN_OFF = "written_off", gettext_lazy("Paid (written off)")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")

    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="activity_plans")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    currency = models.CharField(max_length=3)
    requested_amount = models.DecimalField(**MONEY)
    expected_outcome = models.TextField()
    state = FSMField(max_length=16, choices=State.choices, default=State.DRAFT, protected=True)
    approvals_required = models.PositiveSmallIntegerField(default=0, help_text="Fixed when the plan is submitted.")
    approved_amount = models.DecimalField(**MONEY, null=True, blank=True)
    actual_spend = models.DecimalField(**MONEY, null=True, blank=True)
    claim_note = models.TextField(blank=True)
    payable_amount = models.DecimalField(**MONEY, null=True, blank=True, help_text="Set by the audit: at most approved and spent.")
    audit_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("approve_activityplan", "Can approve marketing activity plans"),
            ("audit_activityplan", "Can audit and write off marketing fund claims"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="plan_dates_in_order"),
            models.CheckConstraint(condition=Q(requested_amount__gt=0), name="plan_requested_positive"),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__lte=F("requested_amount")),
                name="plan_approved_within_requested",
            ),
            models.CheckConstraint(
                condition=Q(payable_amount__isnull=True) | Q(payable_amount__lte=F("approved_amount")),
                name="plan_payable_within_approved",
            ),
        ]
        indexes = [models.Index(fields=["company", "-created_at"], name="plan_company_recent")]

    def __str__(self) -> str:
        return f"{self.title} ({self.company})"

    # The state machine. Methods only move the state: the services around them check
    # permissions, move money and log each transition (PlanTransition) in one transaction.
    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED)
    def submit(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=[State.DRAFT, State.SUBMITTED, State.APPROVED], target=State.CANCELLED)
    def cancel(self):
        pass

    @transition(field=state, source=State.APPROVED, target=State.CLAIMED)
    def claim(self):
        pass

    @transition(field=state, source=State.CLAIMED, target=State.APPROVED)
    def return_claim(self):
        pass

    @transition(field=state, source=State.CLAIMED, target=State.AUDITED)
    def pass_audit(self):
        pass

    @transition(field=state, source=[State.CLAIMED, State.AUDITED], target=State.CLAIM_REJECTED)
    def reject_claim(self):
        pass

    @transition(field=state, source=State.AUDITED, target=State.WRITTEN_OFF)
    def write_off(self):
        pass


class PlanApproval(models.Model):
    """One recorded approval step. Distinct approvers per plan, enforced by the database."""

    plan = models.ForeignKey(ActivityPlan, on_delete=models.CASCADE, related_name="approvals")
    step = models.PositiveSmallIntegerField()
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "step"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "step"], name="one_approval_per_step"),
            models.UniqueConstraint(fields=["plan", "approver"], name="distinct_approvers_per_plan"),
        ]


class PlanTransition(models.Model):
    """Who moved a plan from which state to which, when, and why (append-only)."""

    plan = models.ForeignKey(ActivityPlan, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "at", "id"]

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()


class ProofFile(StoredFileFields):
    """A photo or document proving the activity happened (stored by mall/uploads.py)."""

    plan = models.ForeignKey(ActivityPlan, on_delete=models.CASCADE, related_name="proofs")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    description = models.CharField(max_length=255, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "uploaded_at", "id"]


class Payout(models.Model):
    """How a written-off claim was paid to the dealer, one per plan."""

    class Method(models.TextChoices):
        REBATE_WALLET = "rebate_wallet", gettext_lazy("Rebate credit wallet")
        CREDIT_NOTE = "credit_note", gettext_lazy("Credit note")
        RECORDED = "recorded", gettext_lazy("Recorded for finance to pay")

    plan = models.OneToOneField(ActivityPlan, on_delete=models.PROTECT, related_name="payout")
    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=16, choices=Method.choices)
    reference = models.CharField(max_length=64, unique=True, help_text="MDF-<plan id>: the idempotency key sent to the ledger.")
    ledger_reference = models.CharField(max_length=64, blank=True, help_text="Wallet entry or credit-note number.")
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    paid_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-paid_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="payout_not_negative")]
