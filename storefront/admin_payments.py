"""Back office for payments: every payment and refund of an order, Stripe's events, and the
refund form for staff with the `storefront.refund_payment` permission.

Nothing here writes by itself: the refund form calls storefront.services.refunds, which
reserves the amount (never above what was captured) before Stripe is asked.
"""

import uuid
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from mall.admin_read_only import ReadOnlyAdmin
from mall.errors import DomainError
from storefront.models import Payment, Refund, StripeEvent
from storefront.services.refunds import refund_payment, retry_refund

REFUND_PERMISSION = "storefront.refund_payment"


def _refund_link(payment: Payment, request) -> str:
    if payment.refundable <= 0 or payment.status != Payment.Status.SUCCEEDED or not request.user.has_perm(REFUND_PERMISSION):
        return "-"
    url = reverse("admin:storefront_payment_refund", args=[payment.pk])
    return format_html('<a class="button" href="{}">Refund…</a>', url)


class PaymentInline(ReadOnlyAdmin, admin.TabularInline):
    """On the order: what came in, what went back, and the refund button."""

    model = Payment
    fields = ["method", "amount", "status", "captured_amount", "refunded_amount", "reference", "stripe_payment_intent_id", "refund"]
    readonly_fields = fields
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        self._request = request
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description="refund")
    def refund(self, obj):
        return _refund_link(obj, self._request)


class RefundInline(ReadOnlyAdmin, admin.TabularInline):
    model = Refund
    fields = ["amount", "status", "reason", "stripe_refund_id", "failure_message", "requested_by", "created_at"]
    readonly_fields = fields
    extra = 0


class RefundForm(forms.Form):
    amount = forms.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0.001"))
    reason = forms.CharField(max_length=255, required=False)
    # Made when the form is shown: a double submit refunds once.
    idempotency_key = forms.CharField(max_length=128, widget=forms.HiddenInput)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["order", "method", "payment_amount", "status", "captured_amount", "refunded_amount", "created_at"]
    list_filter = ["method", "status"]
    list_select_related = ["order"]
    search_fields = ["^order__number", "stripe_payment_intent_id", "reference", "order__company__code"]
    date_hierarchy = "created_at"
    fields = [
        "order", "method", "amount", "currency", "status", "captured_amount", "refunded_amount", "reference",
        "stripe_payment_intent_id", "failure_message", "idempotency_key", "recorded_by", "created_at", "succeeded_at", "refund",
    ]
    readonly_fields = fields
    inlines = [RefundInline]

    @admin.display(description="amount", ordering="amount")
    def payment_amount(self, obj):
        return f"{obj.amount} {obj.currency}"

    @admin.display(description="refund")
    def refund(self, obj):
        return _refund_link(obj, self._request)

    def get_fields(self, request, obj=None):
        self._request = request
        return super().get_fields(request, obj)

    def get_urls(self):
        view = self.admin_site.admin_view(self.refund_view)
        return [path("<int:payment_id>/refund/", view, name="storefront_payment_refund"), *super().get_urls()]

    def refund_view(self, request, payment_id: int):
        if not request.user.has_perm(REFUND_PERMISSION):
            raise PermissionDenied
        payment = get_object_or_404(Payment.objects.select_related("order"), pk=payment_id)
        form = RefundForm(request.POST or None, initial={"idempotency_key": str(uuid.uuid4()), "amount": payment.refundable})
        if request.method == "POST" and form.is_valid():
            try:
                refund = refund_payment(
                    payment.pk,
                    form.cleaned_data["amount"],
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    reason=form.cleaned_data["reason"],
                    requested_by=request.user,
                )
            except DomainError as error:
                for detail in error.details:
                    form.add_error("amount" if detail.field == "amount" else None, detail.message)
            else:
                level = {Refund.Status.SUCCEEDED: messages.SUCCESS, Refund.Status.PENDING: messages.WARNING}.get(refund.status, messages.ERROR)
                text = {
                    Refund.Status.SUCCEEDED: f"Refunded {refund.amount} {refund.currency} to the dealer.",
                    Refund.Status.PENDING: "Stripe did not answer: the refund is pending and reserved; retry it from the refunds list.",
                }.get(refund.status, f"Stripe refused the refund: {refund.failure_message}")
                self.message_user(request, text, level)
                return redirect("admin:storefront_order_change", payment.order_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Refund {payment.get_method_display().lower()} payment of order {payment.order}",
            "payment": payment,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/storefront/payment/refund.html", context)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["payment", "amount", "currency", "status", "reason", "stripe_refund_id", "requested_by", "created_at"]
    list_filter = ["status"]
    list_select_related = ["payment__order", "requested_by"]
    search_fields = ["^payment__order__number", "stripe_refund_id"]
    readonly_fields = [f.name for f in Refund._meta.fields]
    actions = ["retry_pending"]

    def has_retry_permission(self, request):
        return request.user.has_perm(REFUND_PERMISSION)

    @admin.action(description="Ask Stripe again for pending refunds", permissions=["retry"])
    def retry_pending(self, request, queryset):
        done = [retry_refund(pk) for pk in queryset.filter(status=Refund.Status.PENDING).values_list("pk", flat=True)]
        settled = sum(1 for r in done if r.status != Refund.Status.PENDING)
        self.message_user(request, f"{settled} of {len(done)} pending refunds settled.", messages.INFO)


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["event_id", "event_type", "object_id", "outcome", "received_at"]
    list_filter = ["event_type", "outcome"]
    search_fields = ["event_id", "object_id"]
    readonly_fields = [f.name for f in StripeEvent._meta.fields]
