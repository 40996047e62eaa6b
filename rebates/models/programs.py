"""Rebate programs as finance defines them: period, who qualifies, base, ladder, mode."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from rebates.calculation import Ladder, Mode, PeriodKind, Target, Terms

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 6, "decimal_places": 3, "validators": [MinValueValidator(0), MaxValueValidator(100)]}


class RebateProgram(models.Model):
    class PeriodKinds(models.TextChoices):
        MONTH = PeriodKind.MONTH.value, gettext_lazy("Month")
        QUARTER = PeriodKind.QUARTER.value, gettext_lazy("Quarter")
        YEAR = PeriodKind.YEAR.value, gettext_lazy("Year")

    class Modes(models.TextChoices):
        RETROACTIVE = Mode.RETROACTIVE.value, gettext_lazy("Retroactive (the rate reached on all volume)")
        STEPPED = Mode.STEPPED.value, gettext_lazy("Stepped (each band at its own rate)")

    class Payout(models.TextChoices):
        WALLET = "wallet", gettext_lazy("Rebate credit (wallet)")
        CREDIT_NOTE = "credit_note", gettext_lazy("Credit note")

    name = models.CharField(max_length=160)
    currency = models.CharField(max_length=3, default="GBP")
    period_kind = models.CharField(max_length=8, choices=PeriodKinds.choices, default=PeriodKinds.QUARTER)
    starts_on = models.DateField()
    ends_on = models.DateField()
    mode = models.CharField(max_length=16, choices=Modes.choices, default=Modes.RETROACTIVE)
    # Who qualifies: named dealers always; others must match every criterion that is set
    # (tiers, regions). A program that sets none of the three is open to every dealer.
    tiers = models.ManyToManyField("partners.Tier", blank=True, related_name="+")
    regions = models.ManyToManyField("partners.Region", blank=True, related_name="+")
    dealers = models.ManyToManyField("partners.Company", blank=True, related_name="+")
    # Base: net purchases (orders less returns); only these categories (and their
    # sub-categories) when any are named.
    categories = models.ManyToManyField("catalog.Category", blank=True, related_name="+")
    growth_percent = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("-100"))],
        help_text="Optional: pay only when the period's volume is at least last year's same period plus this many per cent.",
    )
    payout = models.CharField(max_length=16, choices=Payout.choices, default=Payout.WALLET)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="rebate_program_dates_in_order")]

    def __str__(self) -> str:
        return self.name

    def terms(self, targets=None) -> Terms:
        """The program's rules for the pure calculation (uses prefetched targets)."""
        rows = self.targets.all() if targets is None else targets
        return Terms(
            ladder=Ladder(tuple(Target(t.threshold, t.rate) for t in rows)),
            mode=Mode(self.mode),
            currency=self.currency,
            growth_percent=self.growth_percent,
        )

    @staticmethod
    def qualifying(company) -> Q:
        """A filter on programs that `company` qualifies for (one query, no joins fanning out)."""
        through = RebateProgram
        named = Exists(through.dealers.through.objects.filter(rebateprogram_id=OuterRef("pk"), company_id=company.pk))
        has_dealers = Exists(through.dealers.through.objects.filter(rebateprogram_id=OuterRef("pk")))
        has_tiers = Exists(through.tiers.through.objects.filter(rebateprogram_id=OuterRef("pk")))
        tier_match = Exists(through.tiers.through.objects.filter(rebateprogram_id=OuterRef("pk"), tier_id=company.tier_id))
        has_regions = Exists(through.regions.through.objects.filter(rebateprogram_id=OuterRef("pk")))
        region_match = Exists(through.regions.through.objects.filter(rebateprogram_id=OuterRef("pk"), region_id=company.region_id))
        open_criteria = (~has_tiers | tier_match) & (~has_regions | region_match) & (has_tiers | has_regions | ~has_dealers)
        return Q(named) | Q(open_criteria)


class RebateTarget(models.Model):
    """One rung of the ladder: from `threshold` of volume on, `rate` per cent."""

    program = models.ForeignKey(RebateProgram, on_delete=models.CASCADE, related_name="targets")
    threshold = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    rate = models.DecimalField(**RATE, help_text="Per cent, e.g. 2 for 2%.")

    class Meta:
        ordering = ["program", "threshold"]
        constraints = [models.UniqueConstraint(fields=["program", "threshold"], name="one_rebate_target_per_threshold")]

    def __str__(self) -> str:
        return f"≥ {self.threshold} → {self.rate}%"
