"""Back office for returns (RMA): staff approve, reject (with the reason the dealer reads) and
receive returns; every step goes through storefront.services.returns."""

from django.contrib import admin, messages

from mall.errors import DomainError
from storefront.models import Return, ReturnLine
from storefront.services.returns import approve_return, receive_return, reject_return


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    fields = ["line_number", "sku", "product_name", "quantity", "unit_price", "line_total", "order_line"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    list_display = ["number", "company", "order", "status", "return_total", "placed_at", "source", "credit_note_number"]
    list_filter = ["status", "source"]
    list_select_related = ["company", "order"]
    search_fields = ["^number", "^order__number", "company__code", "company__name"]
    date_hierarchy = "placed_at"
    list_per_page = 50
    fields = ["number", "status", "company", "order", "reason", "rejection_reason", "placed_at", "requested_by",
              "decided_by", "decided_at", "received_at", "credit_note_number", "source", "total", "currency", "created_at"]
    inlines = [ReturnLineInline]
    actions = ["approve", "reject", "receive"]

    def get_readonly_fields(self, request, obj=None):
        # Only the rejection reason is written here, and only while the return waits.
        editable = {"rejection_reason"} if obj is not None and obj.status == Return.Status.REQUESTED else set()
        return [f for f in self.fields if f not in editable]

    def has_add_permission(self, request):
        return False  # dealers request returns; history is imported

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="total", ordering="total")
    def return_total(self, obj):
        return f"{obj.total} {obj.currency}"

    def _each(self, request, queryset, step, done: str):
        ok = 0
        for ret in queryset:
            try:
                step(ret)
                ok += 1
            except DomainError as error:
                self.message_user(request, f"{ret.number}: {error.details[0].message}", messages.ERROR)
        if ok:
            self.message_user(request, f"{ok} return{'s' if ok != 1 else ''} {done}.", messages.SUCCESS)

    @admin.action(description="Approve: the dealer may send the goods", permissions=["change"])
    def approve(self, request, queryset):
        self._each(request, queryset, lambda r: approve_return(r, by=request.user), "approved")

    @admin.action(description="Reject (with the rejection reason written on the return)", permissions=["change"])
    def reject(self, request, queryset):
        self._each(request, queryset, lambda r: reject_return(r, by=request.user, reason=r.rejection_reason), "rejected")

    @admin.action(description="Goods received: back to stock, credit note, rebate reversed", permissions=["change"])
    def receive(self, request, queryset):
        self._each(request, queryset, lambda r: receive_return(r, by=request.user), "received and credited")
