"""Back office of the marketing funds for channel and finance staff.

Funds: budgets by hand, or for every dealer at once as a share of last period's purchases.
Plans: one review page per plan with the proof (thumbnails), the sales uplift of the
activity window and the history; the decision form on it runs the services (approve a step,
reject, return the claim, pass the audit, reject the claim, write off). The admin never
writes amounts or states itself: only the services do.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from expenses.models import (
    ActivityPlan,
    Fund,
    FundEntry,
    Payout,
    PlanApproval,
    PlanTransition,
    ProofFile,
)
from expenses.selectors import can_view_proof, uplift_of
from expenses.services.claims import pass_audit, reject_claim, return_claim, write_off
from expenses.services.funds import create_fund, set_budget, set_budgets_from_purchases
from expenses.services.plans import approve_plan, reject_plan
from mall.errors import DomainError
from mall.uploads import serve_stored_file


class FundEntryInline(admin.TabularInline):
    model = FundEntry
    extra = 0
    can_delete = False
    fields = ["at", "kind", "amount", "plan", "note", "by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FundForm(forms.ModelForm):
    class Meta:
        model = Fund
        fields = ["name", "company", "region", "period_start", "period_end", "currency", "budget"]
        help_texts = {"budget": "Never below what approved plans and write-offs have already taken."}


class FromPurchasesForm(forms.Form):
    name = forms.CharField(max_length=128, initial="MDF")
    period_start = forms.DateField(help_text="First day of the fund period (YYYY-MM-DD).")
    period_end = forms.DateField()
    basis_start = forms.DateField(help_text="First day of the purchases the share is taken of.")
    basis_end = forms.DateField()
    share_percent = forms.DecimalField(max_digits=6, decimal_places=3, min_value=0, max_value=100)
    currency = forms.CharField(max_length=3, initial="GBP")


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    form = FundForm
    list_display = ["name", "owner", "period_start", "period_end", "budget", "reserved", "consumed", "remaining_display", "source"]
    list_filter = ["source", "period_start", "region"]
    search_fields = ["name", "company__name", "company__code", "region__name"]
    autocomplete_fields = ["company"]
    readonly_fields = ["reserved", "consumed", "source", "share_percent", "basis_amount", "basis_start", "basis_end"]
    inlines = [FundEntryInline]
    list_select_related = ["company", "region"]
    change_list_template = "admin/expenses/fund/change_list.html"

    @admin.display(description="for")
    def owner(self, obj):
        return obj.owner_label

    @admin.display(description="remaining")
    def remaining_display(self, obj):
        return obj.remaining

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["company", "region", "period_start", "period_end", "currency"]
        return fields

    def save_model(self, request, obj, form, change):
        # Budgets move through the services: they lock the fund and keep its ledger.
        data = form.cleaned_data
        try:
            if change:
                set_budget(obj.pk, data["budget"], by=request.user, note="Changed in the back office")
                type(obj).objects.filter(pk=obj.pk).update(name=data["name"])
            else:
                fund = create_fund(
                    name=data["name"], company=data.get("company"), region=data.get("region"), period_start=data["period_start"],
                    period_end=data["period_end"], currency=data["currency"], budget=data["budget"], by=request.user,
                )
                obj.pk = fund.pk
        except DomainError as exc:
            self.message_user(request, "; ".join(d.message for d in exc.details), messages.ERROR)

    def get_urls(self):
        view = self.admin_site.admin_view(self.from_purchases_view)
        return [path("from-purchases/", view, name="expenses_fund_from_purchases"), *super().get_urls()]

    def from_purchases_view(self, request):
        if not self.has_add_permission(request):
            raise Http404
        form = FromPurchasesForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = set_budgets_from_purchases(**form.cleaned_data, by=request.user)
            except DomainError as exc:
                form.add_error(None, "; ".join(d.message for d in exc.details))
            else:
                self.message_user(
                    request,
                    f"{len(result.created)} funds created, {len(result.updated)} updated, "
                    f"{len(result.kept_manual)} set by hand kept as they were.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:expenses_fund_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "title": "Budgets from last period's purchases", "opts": self.model._meta}
        return TemplateResponse(request, "admin/expenses/fund/from_purchases.html", context)


class DecisionForm(forms.Form):
    ACTIONS = [
        ("approve", "Approve (one step of the chain)"),
        ("reject", "Reject the plan"),
        ("return_claim", "Return the claim for more proof"),
        ("pass_audit", "Pass the audit"),
        ("reject_claim", "Reject the claim"),
        ("write_off", "Write off: pay the dealer"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    amount = forms.DecimalField(
        required=False, max_digits=14, decimal_places=2,
        help_text="Approve: a lower amount than requested. Audit: what to pay (default: the smaller of approved and spent).",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Required to reject or return; the dealer reads it.")


def decide(plan_id: int, user, data: dict) -> ActivityPlan:
    amount, note = data.get("amount"), data.get("note") or ""
    action = data["action"]
    if action == "approve":
        return approve_plan(plan_id, approver=user, approved_amount=amount, note=note)
    if action == "reject":
        return reject_plan(plan_id, approver=user, reason=note)
    if action == "return_claim":
        return return_claim(plan_id, auditor=user, note=note)
    if action == "pass_audit":
        return pass_audit(plan_id, auditor=user, payable_amount=amount, note=note)
    if action == "reject_claim":
        return reject_claim(plan_id, auditor=user, reason=note)
    return write_off(plan_id, by=user)


class ProofInline(admin.TabularInline):
    model = ProofFile
    extra = 0
    can_delete = False
    fields = ["original_name", "content_type", "size", "sha256", "description", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ActivityPlan)
class ActivityPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "company", "kind", "starts_on", "ends_on", "state", "requested_amount", "approved_amount", "actual_spend", "approvals"]
    list_filter = ["state", "kind", "fund__period_start"]
    search_fields = ["title", "company__name", "company__code"]
    list_select_related = ["company", "fund"]
    inlines = [ProofInline]
    change_form_template = "admin/expenses/activityplan/change_form.html"
    actions = ["approve_selected", "write_off_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(approval_count=Count("approvals"))

    @admin.display(description="approvals")
    def approvals(self, obj):
        return f"{obj.approval_count}/{obj.approvals_required}" if obj.approvals_required else "—"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False  # dealers plan; staff decide

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        plan = get_object_or_404(ActivityPlan.objects.select_related("company", "fund"), pk=object_id)
        form = DecisionForm(request.POST or None)
        if request.method == "POST":
            # The page is read-only: a POST is always a decision, answered with a redirect.
            if not form.is_valid():
                self.message_user(request, "Choose a decision (and a valid amount).", messages.ERROR)
                return HttpResponseRedirect(request.path)
            try:
                plan = decide(plan.pk, request.user, form.cleaned_data)
            except DomainError as exc:
                self.message_user(request, "; ".join(d.message for d in exc.details), messages.ERROR)
            else:
                self.message_user(request, f"Done: the plan is now {plan.get_state_display().lower()}.", messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        extra = {
            "decision_form": form,
            "uplift": uplift_of(plan),
            "proofs": list(plan.proofs.all()),
            "approval_steps": PlanApproval.objects.filter(plan=plan).select_related("approver"),
            "history": PlanTransition.objects.filter(plan=plan).select_related("by"),
            "payout": Payout.objects.filter(plan=plan).first(),
            "fund": plan.fund,
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def get_urls(self):
        return [
            path("proof/<int:pk>/", self.admin_site.admin_view(self.proof_view), name="expenses_proof_file"),
            path("proof/<int:pk>/thumbnail/", self.admin_site.admin_view(self.proof_view), {"thumbnail": True}, name="expenses_proof_thumbnail"),
            *super().get_urls(),
        ]

    def proof_view(self, request, pk, thumbnail=False):
        proof = get_object_or_404(ProofFile.objects.select_related("plan"), pk=pk)
        return serve_stored_file(request, proof, allowed=can_view_proof(request.user, proof), thumbnail=thumbnail)

    def has_approve_permission(self, request):
        return request.user.has_perm("expenses.approve_activityplan")

    def has_write_off_permission(self, request):
        return request.user.has_perm("expenses.audit_activityplan")

    @admin.action(description="Approve selected plans (one step each, full amount)", permissions=["approve"])
    def approve_selected(self, request, queryset):
        self._run_each(request, queryset, lambda plan: approve_plan(plan.pk, approver=request.user))

    @admin.action(description="Write off selected audited claims (pay the dealers)", permissions=["write_off"])
    def write_off_selected(self, request, queryset):
        self._run_each(request, queryset, lambda plan: write_off(plan.pk, by=request.user))

    def _run_each(self, request, queryset, run):
        done, refused = 0, []
        for plan in queryset.order_by("pk"):
            try:
                run(plan)
                done += 1
            except DomainError as exc:
                refused.append(f"{plan.title}: {exc.details[0].message}")
        if done:
            self.message_user(request, f"{done} plan(s) done.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    list_display = ["reference", "company", "amount", "currency", "method", "ledger_reference", "paid_at", "paid_by"]
    list_filter = ["method", "currency"]
    search_fields = ["reference", "company__name", "ledger_reference"]
    list_select_related = ["company", "paid_by"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
