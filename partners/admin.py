"""Back office for channel and finance staff: dealer companies, their users, addresses and
credit; tiers and regions.

A credit account's `outstanding` is the dealer's open orders: only checkout and payments move
it (partners.services), so the admin shows it and never writes it.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Count
from django.forms.models import BaseInlineFormSet

from audit.admin_mixins import AuditedAdmin
from mall.errors import DomainError
from partners.models import Address, Company, CreditAccount, Membership, Region, Tier
from partners.services import update_credit_terms, update_dealer

LIST_PER_PAGE = 50


def _credit(company: Company) -> CreditAccount | None:
    try:
        return company.credit_account
    except ObjectDoesNotExist:
        return None


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "rank", "company_count"]
    search_fields = ["code", "name"]
    list_per_page = LIST_PER_PAGE

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(company_count=Count("companies"))

    @admin.display(description="companies", ordering="company_count")
    def company_count(self, obj):
        return obj.company_count


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "company_count"]
    search_fields = ["code", "name"]
    list_per_page = LIST_PER_PAGE

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(company_count=Count("companies"))

    @admin.display(description="companies", ordering="company_count")
    def company_count(self, obj):
        return obj.company_count


class CreditAccountForm(forms.ModelForm):
    class Meta:
        model = CreditAccount
        fields = ["currency", "credit_limit", "payment_terms", "payment_terms_days", "overdue_grace_days", "on_hold"]
        help_texts = {
            "credit_limit": "The most this dealer may owe on open, unpaid orders.",
            "currency": "Orders on account must be in this currency.",
        }

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        # Read the live figure: orders may have been placed since the page was opened.
        outstanding = (
            CreditAccount.objects.filter(pk=self.instance.pk).values_list("outstanding", flat=True).first()
        ) or 0
        limit = cleaned.get("credit_limit")
        if limit is not None and limit < outstanding:
            self.add_error(
                "credit_limit",
                f"This dealer owes {outstanding} on open orders; the limit cannot be lower. "
                "Put the account on hold to stop new orders instead.",
            )
        currency = cleaned.get("currency")
        if currency and currency != self.instance.currency and outstanding:
            self.add_error("currency", "The currency can only change while nothing is outstanding.")
        return cleaned


class CreditAccountInline(admin.StackedInline):
    model = CreditAccount
    form = CreditAccountForm
    fields = [
        "currency", "credit_limit", "outstanding", "available", ("payment_terms", "payment_terms_days"), "overdue_grace_days",
        "on_hold", ("hold_released_until", "hold_released_by", "hold_released_at"), "hold_release_note", "updated_at",
    ]
    # Billing: a hold release is made with the "release overdue hold" action (who and when kept).
    readonly_fields = ["outstanding", "available", "hold_released_until", "hold_released_by", "hold_released_at", "hold_release_note", "updated_at"]
    can_delete = False
    max_num = 1
    extra = 0
    verbose_name = "credit account"
    verbose_name_plural = "credit account"

    @admin.display(description="available")
    def available(self, obj):
        return obj.available if obj.pk else "-"


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class AddressFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        defaults = [
            form
            for form in self.forms
            if form.cleaned_data.get("is_default_shipping") and not form.cleaned_data.get("DELETE")
        ]
        if len(defaults) > 1:
            raise ValidationError("Only one address can be the default ship-to.")


class AddressInline(admin.StackedInline):
    model = Address
    formset = AddressFormSet
    fields = [("name", "is_default_shipping"), "line1", "line2", ("city", "postal_code", "country")]
    extra = 0


@admin.register(Company)
class CompanyAdmin(AuditedAdmin, admin.ModelAdmin):
    audit_include = []  # the audit log keeps the credit terms (limit, terms, holds) and roles, not the company's own fields
    audit_inlines = [CreditAccount, Membership]  # and the users' roles (the inline)
    list_display = [
        "code",
        "name",
        "kind",
        "tier",
        "region",
        "is_active",
        "credit_limit",
        "credit_outstanding",
        "credit_available",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["tier", "region", "is_active", "kind"]
    list_select_related = ["tier", "region", "credit_account"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "region"]
    fieldsets = [
        (None, {"fields": [("code", "name"), ("kind", "parent"), ("tier", "region"), "currency", "is_active"]}),
        ("Record", {"fields": ["created_at", "version"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["created_at", "version"]
    inlines = [CreditAccountInline, MembershipInline, AddressInline]
    list_per_page = LIST_PER_PAGE

    @admin.display(description="credit limit", ordering="credit_account__credit_limit")
    def credit_limit(self, obj):
        account = _credit(obj)
        return account.credit_limit if account else "-"

    @admin.display(description="outstanding", ordering="credit_account__outstanding")
    def credit_outstanding(self, obj):
        account = _credit(obj)
        return account.outstanding if account else "-"

    @admin.display(description="available")
    def credit_available(self, obj):
        account = _credit(obj)
        return account.available if account else "-"

    def has_change_permission(self, request, obj=None):
        # Finance changes credit terms on this page without the right to change the dealer itself.
        return super().has_change_permission(request, obj) or request.user.has_perm("partners.change_creditaccount")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and not request.user.has_perm("partners.change_company"):
            return [*fields, "code", "name", "kind", "parent", "tier", "region", "currency", "is_active"]
        return fields

    def save_model(self, request, obj, form, change):
        if not change:  # a new dealer; an edit is saved by update_dealer in save_related
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """After the inlines, one update_dealer: the company's own fields and one
        dealer.updated naming everything the ERP keeps that this save changed."""
        request._erp_dealer_changes = []
        super().save_related(request, form, formsets, change)
        if change:
            update_dealer(form.instance, fields=form.changed_data, also_changed=request._erp_dealer_changes)

    def save_formset(self, request, form, formset, change):
        if formset.model is CreditAccount:
            if self._save_credit(request, formset) and change:
                request._erp_dealer_changes.append("credit")
        elif formset.model is Address:
            self._save_addresses(form.instance, formset)
            if formset.has_changed() and change:
                request._erp_dealer_changes.append("addresses")
        else:
            super().save_formset(request, form, formset, change)

    def _save_credit(self, request, formset):
        """Write only the terms staff edit, never `outstanding` (checkout may be moving it).
        True when terms were changed (the dealer.updated is written by update_dealer)."""
        changed = False
        for account in formset.save(commit=False):
            if account.pk is None:
                account.save()
                changed = True
                continue
            try:
                update_credit_terms(
                    account.pk, credit_limit=account.credit_limit, currency=account.currency,
                    payment_terms_days=account.payment_terms_days, on_hold=account.on_hold,
                    payment_terms=account.payment_terms, overdue_grace_days=account.overdue_grace_days,
                    announce=False,
                )
                changed = True
            except DomainError as error:  # an order landed since the form was checked
                self.message_user(request, f"Credit terms not saved: {error.details[0].message}", messages.ERROR)
        return changed

    @transaction.atomic
    def _save_addresses(self, company, formset):
        """A new default ship-to replaces the old one (unset first: the database allows one)."""
        new_default = [
            f for f in formset.forms if f.cleaned_data.get("is_default_shipping") and not f.cleaned_data.get("DELETE")
        ]
        if new_default:
            keep = new_default[0].instance.pk
            Address.objects.filter(company=company, is_default_shipping=True).exclude(pk=keep).update(
                is_default_shipping=False
            )
        formset.save()


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin, admin.ModelAdmin):  # roles and order limits: in the audit log
    list_display = ["user", "user_email", "company", "role", "created_at"]
    list_filter = ["role", "company__tier"]
    list_select_related = ["user", "company"]
    search_fields = ["user__username", "user__email", "company__code", "company__name"]
    autocomplete_fields = ["user", "company"]
    readonly_fields = ["created_at"]
    list_per_page = LIST_PER_PAGE

    @admin.display(description="e-mail", ordering="user__email")
    def user_email(self, obj):
        return obj.user.email


# Announcements and comment threads (DEALS) and the read-only invitations (INVITES) register
# their own admin classes.
from partners import admin_invitations, admin_messages  # noqa: E402, F401
