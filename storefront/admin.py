"""Back office for finance and support: orders, returns and open carts, all read-only.

A confirmed order is a snapshot of every price and discount that made it and never changes;
the one thing finance does here is record that an order on account was paid
(storefront.services.payments.record_payment), which frees the dealer's credit.
"""

import json

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html, format_html_join

from mall.admin_read_only import ReadOnlyAdmin
from storefront import admin_returns  # noqa: F401 - registers the returns back office
from storefront.admin_payments import PaymentInline
from storefront.models import Cart, CartLine, Order, OrderLine
from storefront.services.payments import NOT_PAYABLE, record_payment

LIST_PER_PAGE = 50


def _money(amount, currency) -> str:
    return f"{amount} {currency}"


def _address(snapshot) -> str:
    if not snapshot:
        return "-"
    parts = [snapshot.get(key) for key in ("name", "line1", "line2", "city", "postal_code", "country")]
    return ", ".join(p for p in parts if p)


class OrderLineInline(ReadOnlyAdmin, admin.TabularInline):
    model = OrderLine
    fields = [
        "line_number",
        "sku",
        "product_name",
        "quantity",
        "list_price",
        "unit_price",
        "discount_total",
        "line_total",
        "price_source",
        "how_priced",
    ]
    readonly_fields = fields
    extra = 0

    @admin.display(description="how the price was made")
    def how_priced(self, obj):
        """The waterfall as one readable step per row: label, change, unit price after it."""
        steps = obj.waterfall or []
        if not steps:
            return "-"
        rows = []
        for step in steps:
            if isinstance(step, dict):
                rows.append(
                    (
                        step.get("label") or step.get("kind") or "",
                        step.get("change", ""),
                        step.get("unit_price", ""),
                    )
                )
            else:
                rows.append((json.dumps(step), "", ""))
        return format_html(
            '<table class="waterfall"><thead><tr><th>step</th><th>change</th><th>unit price</th></tr>'
            "</thead><tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = [
        "number",
        "company",
        "status",
        "payment_status",
        "order_total",
        "placed_at",
        "source",
    ]
    list_filter = ["status", "payment_status", "source", "payment_method"]
    list_select_related = ["company"]
    search_fields = ["^number", "company__code", "company__name"]
    date_hierarchy = "placed_at"
    list_per_page = LIST_PER_PAGE
    fieldsets = [
        (None, {"fields": [("number", "status"), ("company", "user"), ("placed_at", "source")]}),
        ("Payment", {"fields": [("payment_method", "payment_status")]}),
        ("Totals", {"fields": [("subtotal", "discount_total"), ("tax_total", "total"), "currency"]}),
        ("Delivery", {"fields": ["ship_to_address"]}),
        ("Record", {"fields": ["idempotency_key", "created_at", "version"], "classes": ["collapse"]}),
    ]
    readonly_fields = [
        "number",
        "status",
        "company",
        "user",
        "placed_at",
        "source",
        "payment_method",
        "payment_status",
        "subtotal",
        "discount_total",
        "tax_total",
        "total",
        "currency",
        "ship_to_address",
        "idempotency_key",
        "created_at",
        "version",
    ]
    inlines = [OrderLineInline, PaymentInline]  # payments and their refund button (admin_payments)
    actions = ["record_payment_received"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("company", "user")

    @admin.display(description="total", ordering="total")
    def order_total(self, obj):
        return _money(obj.total, obj.currency)

    @admin.display(description="ship to")
    def ship_to_address(self, obj):
        return _address(obj.ship_to)

    def has_record_payment_permission(self, request):
        return request.user.has_perm("storefront.change_order")

    @admin.action(description="Record payment received", permissions=["record_payment"])
    def record_payment_received(self, request, queryset):
        selected = queryset.count()
        payable = queryset.filter(payment_status=Order.PaymentStatus.UNPAID).exclude(status__in=NOT_PAYABLE)
        paid = sum(1 for order_id in payable.values_list("pk", flat=True) if record_payment(order_id))
        if paid:
            self.message_user(
                request,
                f"Payment recorded for {paid} order{'s' if paid != 1 else ''}; the dealers' credit is released.",
                messages.SUCCESS,
            )
        if selected - paid:
            self.message_user(
                request,
                f"{selected - paid} selected order{'s were' if selected - paid != 1 else ' was'} "
                "already paid or cancelled and left as they were.",
                messages.WARNING,
            )


class CartLineInline(ReadOnlyAdmin, admin.TabularInline):
    model = CartLine
    fields = ["sku", "product", "quantity", "added_at"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variant__product")

    @admin.display(description="SKU")
    def sku(self, obj):
        return obj.variant.sku

    @admin.display(description="product")
    def product(self, obj):
        return obj.variant.display_name


@admin.register(Cart)
class CartAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Open carts, for support answering "what is in my cart?" (prices are always re-computed)."""

    list_display = ["company", "user", "line_count", "created_at", "updated_at"]
    list_select_related = ["company", "user"]
    search_fields = ["company__code", "company__name", "user__email", "user__username"]
    date_hierarchy = "updated_at"
    list_per_page = LIST_PER_PAGE
    fields = ["company", "user", "created_at", "updated_at"]
    readonly_fields = fields
    inlines = [CartLineInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("company", "user").annotate(line_count=Count("lines"))

    @admin.display(description="lines", ordering="line_count")
    def line_count(self, obj):
        return obj.line_count

