"""Back office of deal registration: review a deal with its possible duplicates (which deal,
which dealer, why, the name score), approve, reject, extend, transfer; the full history.

Staff need the `deals.change_deal` permission to act; viewing needs `deals.view_deal`.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from deals import selectors, services
from deals.models import Deal, DealOrder, DealTransition
from deals.states import STAFF, allowed_actions
from mall.errors import DomainError
from partners import messaging
from partners.models import Company


class DealTransitionInline(admin.TabularInline):
    model = DealTransition
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_state", "to_state", "by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DealOrderInline(admin.TabularInline):
    model = DealOrder
    extra = 0
    can_delete = False
    fields = ["order", "order_total", "attributed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="total")
    def order_total(self, obj):
        return f"{obj.order.total} {obj.order.currency}"


class ReviewForm(forms.Form):
    ACTIONS = [("approve", "Approve"), ("reject", "Reject"), ("extend", "Extend protection"), ("transfer", "Transfer to another dealer"),
               ("win", "Mark won"), ("lose", "Mark lost")]
    action = forms.ChoiceField(choices=ACTIONS)
    days = forms.IntegerField(min_value=1, max_value=3650, required=False, help_text="Approve: protection (default from settings). Extend: days added.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="Required to reject; the dealer reads it.")
    to_company = forms.ModelChoiceField(queryset=Company.objects.filter(is_active=True), required=False, label="Transfer to")
    override_conflicts = forms.BooleanField(required=False, help_text="Approve although another dealer's protected deal matches.")


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["prospect_name", "company", "state", "protected_until", "expected_value", "currency", "possible_duplicates", "created_at"]
    list_filter = ["state", "region", "company__tier"]
    search_fields = ["prospect_name", "tax_number", "website", "contact_email", "phone", "company__name", "company__code"]
    list_select_related = ["company"]
    # What the dealer registered is its record (and the duplicate keys are made from it): staff
    # act through the review page, and here only choose the deal's specialists.
    readonly_fields = ["review_link", "state", "company", "registered_by", "prospect_name", "tax_number", "website", "contact_name",
                       "contact_email", "phone", "city", "region", "products_of_interest", "expected_value", "currency",
                       "expected_close_date", "notes", "protected_until", "rejection_reason", "name_key", "tax_key", "domain_key",
                       "phone_key", "submitted_at", "reminder_sent_at", "created_at"]
    filter_horizontal = ["specialists"]
    inlines = [DealTransitionInline, DealOrderInline]
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(match_count=Count("matches"))

    @admin.display(description="possible duplicates", ordering="match_count")
    def possible_duplicates(self, obj):
        return obj.match_count or ""

    @admin.display(description="review")
    def review_link(self, obj):
        if obj.pk is None:
            return ""
        return format_html('<a class="button" href="{}">Review, approve, reject, extend or transfer</a>',
                           reverse("admin:deals_deal_review", args=[obj.pk]))

    def has_add_permission(self, request):
        return False  # dealers register deals; staff review them

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # New specialists hear of comments on the deal's thread.
        messaging.thread_for(form.instance, participants=form.instance.specialists.all())

    def get_urls(self):
        return [path("<int:pk>/review/", self.admin_site.admin_view(self.review_view), name="deals_deal_review")] + super().get_urls()

    def review_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        deal = get_object_or_404(Deal.objects.select_related("company", "region"), pk=pk)
        form = ReviewForm(request.POST or None)
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
            if "post_comment" in request.POST:
                try:
                    messaging.post_comment(
                        thread=messaging.thread_for(deal), author=request.user, body=request.POST.get("body", ""),
                        files=request.FILES.getlist("attachments"),
                    )
                except DomainError as exc:
                    messages.error(request, " ".join(d.message for d in exc.details))
                return redirect("admin:deals_deal_review", pk=pk)
            if form.is_valid():
                try:
                    self._act(request, deal, form.cleaned_data)
                except DomainError as exc:
                    for detail in exc.details:
                        messages.error(request, detail.message)
                else:
                    messages.success(request, "Done.")
                    return redirect("admin:deals_deal_review", pk=pk)
        elif request.GET.get("recheck") and deal.state in ("submitted", "approved"):
            services.check_duplicates(deal)
        thread = messaging.existing_thread(deal)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review deal: {deal.prospect_name}",
            "deal": deal,
            "form": form,
            "matches": selectors.staff_matches(deal),
            "actions": allowed_actions(deal.state, STAFF),
            "value": selectors.attributed_value(deal),
            "comments": list(messaging.comments_of(thread)) if thread else [],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/deals/deal/review.html", context)

    @staticmethod
    def _act(request, deal: Deal, data: dict) -> None:
        action, by = data["action"], request.user
        if action == "approve":
            services.approve_deal(deal.pk, by=by, days=data["days"], override_conflicts=data["override_conflicts"])
        elif action == "reject":
            services.reject_deal(deal.pk, by=by, reason=data["reason"])
        elif action == "extend":
            services.extend_protection(deal.pk, by=by, days=data["days"] or 30, reason=data["reason"])
        elif action == "transfer":
            if data["to_company"] is None:
                raise DomainError.single("to_company", "REQUIRED", "Choose the dealer to transfer the deal to.")
            services.transfer_deal(deal.pk, by=by, to_company=data["to_company"], reason=data["reason"])
        else:
            services.close_deal(deal.pk, outcome=action, by=by, reason=data["reason"])
