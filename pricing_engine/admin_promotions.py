"""Back office for merchandisers: promotions and vouchers.

SKUs, categories, tiers, regions and dealers are picked with autocomplete boxes (there are
thousands of SKUs: never one select of all of them). The reward's JSON is checked by building
the pricing core's reward (models/promotions.py), so a bad one is a form error on the field.
Saving an exclusive promotion that overlaps another exclusive one in time and audience gives
a warning: only one of them applies to a dealer who gets both (docs/pricing.md §6.4).
"""

import json

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from audit.admin_mixins import AuditedAdmin
from pricing_engine.models import REWARD_EXAMPLES, Promotion, Voucher, VoucherRedemption

LIST_PER_PAGE = 50
RELATIONS = ["skus", "categories", "tiers", "regions", "companies"]


class PromotionForm(forms.ModelForm):
    class Meta:
        model = Promotion
        fields = "__all__"
        widgets = {"reward": forms.Textarea(attrs={"rows": 6, "cols": 80, "style": "font-family: monospace"})}


def _window(obj) -> str:
    start = timezone.localtime(obj.starts_at).strftime("%Y-%m-%d %H:%M") if obj.starts_at else "…"
    end = timezone.localtime(obj.ends_at).strftime("%Y-%m-%d %H:%M") if obj.ends_at else "…"
    return f"{start} → {end}"


@admin.register(Promotion)
class PromotionAdmin(AuditedAdmin, admin.ModelAdmin):
    form = PromotionForm
    list_display = ["name", "kind", "live_window", "priority", "exclusive", "stacking_group", "budget_used", "is_active"]
    list_filter = ["kind", "is_active", "exclusive", "currency"]
    search_fields = ["name", "description", "stacking_group"]
    autocomplete_fields = RELATIONS
    readonly_fields = ["spent_amount", "used_count", "reward_examples", "created_at", "updated_at"]
    list_per_page = LIST_PER_PAGE
    fieldsets = [
        (None, {"fields": ["name", "description", "is_active"]}),
        ("Reward", {"fields": ["kind", "reward", "reward_examples", "currency"]}),
        ("Products (empty: every product)", {"fields": ["skus", "categories", "tags"]}),
        ("Dealers (empty: every dealer)", {"fields": ["tiers", "regions", "companies"]}),
        ("Schedule and stacking", {"fields": [("starts_at", "ends_at"), "priority", "exclusive", "stacking_group"]}),
        ("Budget", {"fields": [("budget_amount", "spent_amount"), ("budget_uses", "used_count")]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description="live window", ordering="starts_at")
    def live_window(self, obj):
        return _window(obj)

    @admin.display(description="budget used")
    def budget_used(self, obj):
        parts = []
        if obj.budget_amount is not None:
            parts.append(f"{obj.spent_amount} / {obj.budget_amount} {obj.currency}".strip())
        if obj.budget_uses is not None:
            parts.append(f"{obj.used_count} / {obj.budget_uses} uses")
        return "; ".join(parts) or f"no cap ({obj.used_count} uses)"

    @admin.display(description="examples")
    def reward_examples(self, obj):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td><code>{}</code></td></tr>",
            ((Promotion.Kind(kind).label, json.dumps(example)) for kind, example in REWARD_EXAMPLES.items()),
        )
        return format_html("<table>{}</table>", rows)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        promotion = form.instance
        if promotion.exclusive and promotion.is_active:
            for other in overlapping_exclusive_promotions(promotion):
                self.message_user(
                    request,
                    f"“{promotion.name}” and “{other.name}” are both exclusive and overlap in time and dealers: "
                    f"a dealer who qualifies for both gets only the one first by priority "
                    f"({promotion.priority} vs {other.priority}).",
                    level=messages.WARNING,
                )


def _audience(promotion: Promotion) -> tuple[set, set, dict]:
    return (
        {t.pk for t in promotion.tiers.all()},
        {r.pk for r in promotion.regions.all()},
        {c.pk: (c.tier_id, c.region_id) for c in promotion.companies.all()},
    )


def _admits(audience, tier_id, region_id, company_id) -> bool:
    tiers, regions, companies = audience
    if not (tiers or regions or companies):
        return True
    if company_id in companies:
        return True
    if not (tiers or regions):
        return False
    return (not tiers or tier_id in tiers) and (not regions or region_id in regions)


def audiences_overlap(a, b) -> bool:
    """Could one dealer be in both audiences? (Tier/region criteria are compared as sets.)"""
    if not any(a) or not any(b):
        return True
    if any(_admits(b, t, r, pk) for pk, (t, r) in a[2].items()):
        return True
    if any(_admits(a, t, r, pk) for pk, (t, r) in b[2].items()):
        return True
    if not (a[0] or a[1]) or not (b[0] or b[1]):
        return False  # one is named dealers only, none of them in the other
    tiers_meet = not a[0] or not b[0] or bool(a[0] & b[0])
    regions_meet = not a[1] or not b[1] or bool(a[1] & b[1])
    return tiers_meet and regions_meet


def _overlap_in_time(promotion: Promotion) -> Q:
    q = Q()
    if promotion.ends_at is not None:
        q &= Q(starts_at__isnull=True) | Q(starts_at__lt=promotion.ends_at)
    if promotion.starts_at is not None:
        q &= Q(ends_at__isnull=True) | Q(ends_at__gt=promotion.starts_at)
    return q


def overlapping_exclusive_promotions(promotion: Promotion) -> list[Promotion]:
    others = (
        Promotion.objects.filter(_overlap_in_time(promotion), exclusive=True, is_active=True)
        .exclude(pk=promotion.pk)
        .prefetch_related("tiers", "regions", "companies")
    )
    mine = _audience(promotion)
    return [other for other in others if audiences_overlap(mine, _audience(other))]


class VoucherForm(forms.ModelForm):
    class Meta:
        model = Voucher
        fields = "__all__"


@admin.register(Voucher)
class VoucherAdmin(AuditedAdmin, admin.ModelAdmin):
    form = VoucherForm
    list_display = ["code", "name", "value", "min_spend", "live_window", "uses", "once_per_order", "is_active"]
    list_filter = ["is_active", "once_per_order", "currency"]
    search_fields = ["code", "name"]
    autocomplete_fields = RELATIONS
    readonly_fields = ["used_count", "created_at", "updated_at"]
    list_per_page = LIST_PER_PAGE
    fieldsets = [
        (None, {"fields": ["code", "name", "is_active"]}),
        ("Discount (a percentage or an amount)", {"fields": [("percent", "amount"), "currency", "min_spend", "once_per_order"]}),
        ("Products (empty: the whole order)", {"fields": ["skus", "categories"]}),
        ("Dealers (empty: every dealer)", {"fields": ["tiers", "regions", "companies"]}),
        ("Validity and limits", {"fields": [("starts_at", "ends_at"), ("usage_limit_total", "used_count"), "usage_limit_per_dealer"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description="discount")
    def value(self, obj):
        return f"{obj.percent}%" if obj.percent is not None else f"{obj.amount} {obj.currency}"

    @admin.display(description="live window", ordering="starts_at")
    def live_window(self, obj):
        return _window(obj)

    @admin.display(description="used")
    def uses(self, obj):
        return f"{obj.used_count} / {obj.usage_limit_total}" if obj.usage_limit_total is not None else str(obj.used_count)


@admin.register(VoucherRedemption)
class VoucherRedemptionAdmin(admin.ModelAdmin):
    list_display = ["voucher", "company", "order_number", "amount", "created_at"]
    list_select_related = ["voucher", "company"]
    search_fields = ["voucher__code", "company__code", "company__name", "order_number"]
    readonly_fields = ["voucher", "company", "order_number", "amount", "created_at"]
    list_per_page = LIST_PER_PAGE

    def has_add_permission(self, request):
        return False  # redemptions are written by the checkout only

    def has_change_permission(self, request, obj=None):
        return False
