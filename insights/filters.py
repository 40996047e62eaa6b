"""The filters every dashboard takes (period, region, tier, category, currency), read from the
query string with clear messages for bad values, and applied to the fact tables."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.db.models import QuerySet

from catalog.models import Category
from insights.dealer_selectors import latest_day, months_back
from partners.models import Region, Tier

PERIODS = (("day", "Day"), ("week", "Week"), ("month", "Month"))


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    period: str = "month"
    region_id: int | None = None
    tier_id: int | None = None
    category_id: int | None = None
    currency: str = "GBP"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Filters":
        """The period of the same length just before this one (for movers)."""
        return replace(self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))

    def apply(self, queryset: QuerySet, *, category: bool = True) -> QuerySet:
        """Filter a fact queryset (DailySales, DailyDealerSales) by day, currency, region, tier
        and (where the fact has one) category."""
        queryset = queryset.filter(day__gte=self.start, day__lte=self.end, currency=self.currency)
        if self.region_id:
            queryset = queryset.filter(company__region_id=self.region_id)
        if self.tier_id:
            queryset = queryset.filter(company__tier_id=self.tier_id)
        if category and self.category_id:
            queryset = queryset.filter(category_id=self.category_id)
        return queryset


    def apply_segments(self, queryset: QuerySet) -> QuerySet:
        """The same filters on DailySegmentSales (region and tier are its own columns)."""
        queryset = queryset.filter(day__gte=self.start, day__lte=self.end, currency=self.currency)
        if self.region_id:
            queryset = queryset.filter(region_id=self.region_id)
        if self.tier_id:
            queryset = queryset.filter(tier_id=self.tier_id)
        if self.category_id:
            queryset = queryset.filter(category_id=self.category_id)
        return queryset


# Dates outside these are typing errors (and a month before year 1 or after 9999 cannot be
# counted to: the dashboards work in whole months and days around the period).
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


def year_up_to(end: date) -> date:
    """The first day of the twelve months up to `end` (its month and the eleven before)."""
    return months_back(end, 12)


def default_filters() -> Filters:
    """The last twelve months up to the latest day with sales (all nine months of the real data;
    the demo's December 2010), so the default period follows the data, whatever today is."""
    end = latest_day()
    return Filters(start=year_up_to(end), end=end, currency=settings.DEFAULT_CURRENCY)


class FilterForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period = forms.ChoiceField(choices=PERIODS, required=False)
    region = forms.ModelChoiceField(queryset=Region.objects.order_by("name"), required=False, empty_label="All regions")
    tier = forms.ModelChoiceField(queryset=Tier.objects.order_by("rank"), required=False, empty_label="All tiers")
    category = forms.ModelChoiceField(
        queryset=Category.objects.order_by("name"), required=False, empty_label="All categories"
    )
    currency = forms.CharField(required=False, max_length=3)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for name in ("start", "end"):
            if data.get(name) and not EARLIEST <= data[name] <= LATEST:
                self.add_error(name, f"Choose a date from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}.")
                data[name] = None
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end of the period is before its start.")
        if start and not end and start > (last := latest_day()):
            self.add_error("start", f"The start is after the latest day with sales ({last:%Y-%m-%d}): choose an end too.")
        if start and end and (end - start).days > 3660:
            self.add_error("start", "Choose a period of at most ten years.")
        currency = (data.get("currency") or "").upper()
        if currency and not (len(currency) == 3 and currency.isalpha()):
            self.add_error("currency", "A currency is three letters, e.g. GBP.")
        return data

    def filters(self) -> Filters:
        """The chosen filters, defaults for what is empty or invalid (errors show on the form)."""
        base = default_filters()
        if not self.is_valid():
            return base
        data = self.cleaned_data
        end = data.get("end") or base.end
        return replace(
            base,
            start=data.get("start") or year_up_to(end),  # only an end: the twelve months up to it
            end=end,
            period=data.get("period") or base.period,
            region_id=data["region"].pk if data.get("region") else None,
            tier_id=data["tier"].pk if data.get("tier") else None,
            category_id=data["category"].pk if data.get("category") else None,
            currency=(data.get("currency") or base.currency).upper(),
        )
