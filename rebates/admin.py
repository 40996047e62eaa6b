"""Back office for finance: rebate programs (with their ladder), the accrual ledger and dealer
periods (read-only: append-only), settlements to review and approve, and rebate wallets."""

from django.contrib import admin, messages

from audit.admin_mixins import AuditedAdmin
from mall.admin_read_only import ReadOnlyAdmin
from mall.errors import DomainError
from rebates.calculation import Target, describe_ladder
from rebates.models import (
    AccrualEntry,
    DealerPeriod,
    RebateProgram,
    RebateTarget,
    RebateWallet,
    Settlement,
    WalletEntry,
)
from rebates.services import approve_settlement


class RebateTargetInline(admin.TabularInline):
    model = RebateTarget
    extra = 3
    fields = ["threshold", "rate"]


@admin.register(RebateProgram)
class RebateProgramAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "currency", "period_kind", "mode", "starts_on", "ends_on", "ladder", "payout", "is_active"]
    list_filter = ["is_active", "period_kind", "mode", "payout", "currency"]
    search_fields = ["name"]
    filter_horizontal = ["tiers", "regions", "dealers", "categories"]
    inlines = [RebateTargetInline]
    fieldsets = [
        (None, {"fields": ["name", "currency", "is_active", "payout"]}),
        ("Period", {"fields": ["period_kind", "starts_on", "ends_on"]}),
        ("How it pays", {"fields": ["mode", "growth_percent"],
                         "description": "Retroactive: the rate reached applies to the whole period's volume. Stepped: each "
                                        "band at its own rate. The ladder of targets is below."}),
        ("Who qualifies", {"fields": ["dealers", "tiers", "regions"],
                           "description": "Named dealers always qualify; others must match every criterion set (tiers, "
                                          "regions). Set none of the three to open the program to every dealer."}),
        ("Base", {"fields": ["categories"],
                  "description": "Net purchases (orders less returns, without tax). Name categories to count only their "
                                 "lines (sub-categories included)."}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("targets")

    @admin.display(description="ladder")
    def ladder(self, obj):
        return describe_ladder([Target(t.threshold, t.rate) for t in obj.targets.all()]) or "—"


class AccrualEntryInline(ReadOnlyAdmin, admin.TabularInline):
    model = AccrualEntry
    fields = ["created_at", "kind", "order", "return_request", "volume_change", "rate", "amount", "volume_after",
              "accrued_after", "note"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order", "return_request")


@admin.register(DealerPeriod)
class DealerPeriodAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["company", "program", "starts_on", "ends_on", "volume", "accrued", "status"]
    list_filter = ["status", "program"]
    list_select_related = ["company", "program"]
    search_fields = ["company__code", "company__name"]
    inlines = [AccrualEntryInline]


@admin.register(AccrualEntry)
class AccrualEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "period", "kind", "volume_change", "rate", "amount", "accrued_after"]
    list_filter = ["kind", "period__program"]
    list_select_related = ["period__company", "period__program"]
    search_fields = ["period__company__code", "order__number", "return_request__number"]


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["dealer", "program", "period_start", "volume", "rate", "amount", "accrued", "difference", "status",
                    "payout", "payout_reference"]
    list_filter = ["status", "period__program", "payout"]
    list_select_related = ["period__company", "period__program"]
    search_fields = ["period__company__code", "period__company__name"]
    actions = ["approve_and_pay"]

    @admin.display(description="dealer", ordering="period__company__name")
    def dealer(self, obj):
        return obj.period.company

    @admin.display(description="program")
    def program(self, obj):
        return obj.period.program

    @admin.display(description="period", ordering="period__starts_on")
    def period_start(self, obj):
        return f"{obj.period.starts_on:%Y-%m-%d} – {obj.period.ends_on:%Y-%m-%d}"

    def has_approve_and_pay_permission(self, request):
        return request.user.has_perm("rebates.change_settlement")

    @admin.action(description="Approve and pay (rebate credit or credit note, as the program says)",
                  permissions=["approve_and_pay"])
    def approve_and_pay(self, request, queryset):
        paid = 0
        for settlement in queryset:
            try:
                done = approve_settlement(settlement, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{settlement}: {error.details[0].message}", messages.ERROR)
                continue
            paid += done.approved_by_id == request.user.pk
        self.message_user(request, f"{paid} settlement{'s' if paid != 1 else ''} approved and paid.", messages.SUCCESS)


class WalletEntryInline(ReadOnlyAdmin, admin.TabularInline):
    model = WalletEntry
    fields = ["created_at", "kind", "amount", "balance_after", "reason", "reference"]
    readonly_fields = fields
    extra = 0


@admin.register(RebateWallet)
class RebateWalletAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["company", "currency", "balance"]
    list_select_related = ["company"]
    search_fields = ["company__code", "company__name"]
    inlines = [WalletEntryInline]
