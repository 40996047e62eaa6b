"""Back office for finance: invoices, credit notes, payment receipts and the ledger (all read
only: documents are never edited, corrections are new documents), and dealer accounts with
balance and aging, statement downloads, a bank-transfer receipt form and the hold release.

Writes go through billing.services only.
"""

import uuid
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from billing.models import (
    Allocation,
    CreditNote,
    DealerAccount,
    Invoice,
    InvoiceLine,
    LedgerEntry,
    PaymentReceipt,
)
from billing.selectors import aging, on_account_block, statement
from billing.services import issue_credit_note, record_payment, release_overdue_hold
from billing.statements import filename, statement_pdf, statement_xlsx
from mall.admin_read_only import ReadOnlyAdmin
from mall.errors import DomainError

RELEASE_DAYS = 7
FILE_TYPES = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class InvoiceLineInline(ReadOnlyAdmin, admin.TabularInline):
    model = InvoiceLine
    fields = ["line_number", "sku", "description", "quantity", "unit_price", "line_total"]
    readonly_fields = fields
    extra = 0


class AllocationInline(ReadOnlyAdmin, admin.TabularInline):
    model = Allocation
    fk_name = "invoice"
    fields = ["applied_on", "receipt", "credit_note", "amount"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = "payments and credit notes applied"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("receipt", "credit_note")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["number", "company", "order", "issued_on", "due_on", "total", "amount_allocated", "status", "on_account", "erp_number"]
    list_filter = ["status", "on_account", "issued_on"]
    list_select_related = ["company", "order"]
    search_fields = ["number", "erp_number", "company__code", "company__name", "order__number"]
    date_hierarchy = "issued_on"
    readonly_fields = [f.name for f in Invoice._meta.fields]
    inlines = [InvoiceLineInline, AllocationInline]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["number", "company", "invoice", "issued_on", "amount", "amount_applied", "reason", "source_reference"]
    list_select_related = ["company", "invoice"]
    search_fields = ["number", "company__code", "company__name", "source_reference", "invoice__number"]
    date_hierarchy = "issued_on"
    readonly_fields = [f.name for f in CreditNote._meta.fields]


@admin.register(PaymentReceipt)
class PaymentReceiptAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["received_at", "company", "method", "amount", "amount_applied", "currency", "reference", "recorded_by"]
    list_filter = ["method"]
    list_select_related = ["company", "recorded_by"]
    search_fields = ["reference", "company__code", "company__name", "idempotency_key"]
    readonly_fields = [f.name for f in PaymentReceipt._meta.fields]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["occurred_on", "company", "kind", "document", "description", "amount", "currency"]
    list_filter = ["kind"]
    list_select_related = ["company"]
    search_fields = ["document", "company__code", "company__name"]
    date_hierarchy = "occurred_on"
    readonly_fields = [f.name for f in LedgerEntry._meta.fields]


class BankTransferForm(forms.Form):
    amount = forms.DecimalField(max_digits=14, decimal_places=3, min_value=0)
    reference = forms.CharField(max_length=128, help_text="As on the bank statement, e.g. the dealer's payment reference.")
    received_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    # A fresh key per form: submitting the same form twice records the transfer once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


class CreditNoteForm(forms.Form):
    amount = forms.DecimalField(max_digits=14, decimal_places=3, min_value=0)
    reason = forms.CharField(max_length=255, help_text="Printed on the credit note, e.g. \"Goodwill: late delivery of order DM00000042\".")
    invoice_number = forms.CharField(max_length=32, required=False, help_text="Credit this invoice; empty: the oldest open invoices.")
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


class PeriodForm(forms.Form):
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            raise forms.ValidationError("The period must start on or before its last day.")
        return cleaned


def _balance_subquery():
    sums = LedgerEntry.objects.filter(company=OuterRef("company_id")).values("company_id").annotate(t=Sum("amount")).values("t")
    return Coalesce(Subquery(sums, output_field=DecimalField(max_digits=14, decimal_places=2)), 0, output_field=DecimalField())


@admin.register(DealerAccount)
class DealerAccountAdmin(admin.ModelAdmin):
    list_display = ["company", "terms", "credit_limit", "outstanding", "ledger_balance", "hold", "links"]
    list_select_related = ["company"]
    search_fields = ["company__code", "company__name"]
    list_filter = ["payment_terms", "on_hold"]
    actions = ["release_hold"]
    fields = ["company", "currency", "credit_limit", "outstanding", "payment_terms", "payment_terms_days", "overdue_grace_days",
              "on_hold", "hold_released_until", "hold_released_by", "hold_released_at", "hold_release_note"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # terms are edited on the company page (partners), with its checks

    def has_release_permission(self, request):
        return request.user.has_perm("partners.change_creditaccount")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(balance=_balance_subquery())

    @admin.display(description="terms")
    def terms(self, obj):
        return obj.terms_label

    @admin.display(description="balance (ledger)", ordering="balance")
    def ledger_balance(self, obj):
        return obj.balance

    @admin.display(description="overdue hold")
    def hold(self, obj):
        # One query per row, on a page of 100 at most: finance wants to see who is held.
        return "on hold" if on_account_block(obj.company) else "-"

    @admin.display(description="")
    def links(self, obj):
        return format_html(
            '<a href="{}">statement</a> · <a href="{}">record bank transfer</a> · <a href="{}">issue credit note</a>',
            reverse("admin:billing_dealeraccount_statement", args=[obj.pk]),
            reverse("admin:billing_dealeraccount_transfer", args=[obj.pk]),
            reverse("admin:billing_dealeraccount_credit", args=[obj.pk]),
        )

    @admin.action(description=f"Release the overdue hold for {RELEASE_DAYS} days", permissions=["release"])
    def release_hold(self, request, queryset):
        until = timezone.localdate() + timedelta(days=RELEASE_DAYS)
        for account in queryset.select_related("company"):
            release_overdue_hold(account.company, until=until, by=request.user, note=f"Released in the back office by {request.user}")
        self.message_user(request, f"Orders on account allowed until {until.isoformat()} for {queryset.count()} dealer(s).", messages.SUCCESS)

    def get_urls(self):
        own = [
            path("<int:pk>/statement/", self.admin_site.admin_view(self.statement_view), name="billing_dealeraccount_statement"),
            path("<int:pk>/transfer/", self.admin_site.admin_view(self.transfer_view), name="billing_dealeraccount_transfer"),
            path("<int:pk>/credit/", self.admin_site.admin_view(self.credit_view), name="billing_dealeraccount_credit"),
        ]
        return own + super().get_urls()

    def statement_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        account = get_object_or_404(DealerAccount.objects.select_related("company"), pk=pk)
        today = timezone.localdate()
        form = PeriodForm(request.GET or {"start": today.replace(day=1), "end": today})
        result = None
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            result = statement(account.company, start, end)
            file_type = request.GET.get("format")
            if file_type in FILE_TYPES:
                ages = aging(account.company, min(end, today))
                body = statement_pdf(result, ages) if file_type == "pdf" else statement_xlsx(result, ages)
                response = HttpResponse(body, content_type=FILE_TYPES[file_type])
                response["Content-Disposition"] = f'attachment; filename="{filename(result, file_type)}"'
                return response
        context = {**self.admin_site.each_context(request), "title": f"Statement of {account.company}", "account": account,
                   "form": form, "statement": result, "query": request.GET.urlencode()}
        return TemplateResponse(request, "admin/billing/dealeraccount/statement.html", context)

    def transfer_view(self, request, pk):
        if not request.user.has_perm("billing.add_paymentreceipt"):
            raise PermissionDenied
        account = get_object_or_404(DealerAccount.objects.select_related("company"), pk=pk)
        if request.method == "POST":
            form = BankTransferForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                received = timezone.make_aware(timezone.datetime.combine(data["received_on"], timezone.datetime.min.time().replace(hour=12)))
                try:
                    receipt = record_payment(
                        company=account.company, amount=data["amount"], currency=account.currency, method="bank_transfer",
                        reference=data["reference"], idempotency_key=f"admin:{data['idempotency_key']}", received_at=received,
                        recorded_by=request.user,
                    )
                except DomainError as error:
                    for detail in error.details:
                        form.add_error(detail.field if detail.field in form.fields else None, detail.message)
                else:
                    self.message_user(
                        request, f"Recorded {receipt.amount} {receipt.currency} from {account.company}; {receipt.amount_applied} applied to invoices.",
                        messages.SUCCESS,
                    )
                    return redirect("admin:billing_dealeraccount_changelist")
        else:
            form = BankTransferForm(initial={"received_on": timezone.localdate(), "idempotency_key": uuid.uuid4().hex})
        context = {**self.admin_site.each_context(request), "title": f"Record a bank transfer from {account.company}",
                   "account": account, "form": form, "submit": "Record the transfer",
                   "intro": "The transfer is applied to the dealer's oldest open invoices; what is left stays as the dealer's "
                            "credit and pays its next invoices on account."}
        return TemplateResponse(request, "admin/billing/dealeraccount/form.html", context)

    def credit_view(self, request, pk):
        if not request.user.has_perm("billing.add_creditnote"):
            raise PermissionDenied
        account = get_object_or_404(DealerAccount.objects.select_related("company"), pk=pk)
        form = CreditNoteForm(request.POST or None, initial={"idempotency_key": uuid.uuid4().hex})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            invoice = None
            if data["invoice_number"]:
                invoice = Invoice.objects.filter(company=account.company, number=data["invoice_number"].strip()).first()
                if invoice is None:
                    form.add_error("invoice_number", "This dealer has no invoice with this number.")
            if form.is_valid():
                try:
                    note = issue_credit_note(
                        company=account.company, amount=data["amount"], currency=account.currency, reason=data["reason"],
                        source_reference="back office", idempotency_key=f"admin:{data['idempotency_key']}", invoice=invoice,
                        issued_by=request.user,
                    )
                except DomainError as error:
                    for detail in error.details:
                        form.add_error(detail.field if detail.field in form.fields else None, detail.message)
                else:
                    self.message_user(request, f"Credit note {note.number} of {note.amount} {note.currency} issued to {account.company}.", messages.SUCCESS)
                    return redirect("admin:billing_dealeraccount_changelist")
        context = {**self.admin_site.each_context(request), "title": f"Issue a credit note to {account.company}",
                   "account": account, "form": form, "submit": "Issue the credit note"}
        return TemplateResponse(request, "admin/billing/dealeraccount/form.html", context)
