"""Marketing funds pages: the dealer's funds and plans, a new plan, one plan with its proof and
claim, and the proof files (served only to the dealer's own users and vendor staff)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from expenses.models import ActivityPlan, ProofFile
from expenses.selectors import (
    can_manage_plans,
    can_view_proof,
    funds_for_company,
    plan_for_company,
    plans_for_company,
)
from expenses.services.claims import add_proof, submit_claim
from expenses.services.plans import PlanInput, cancel_plan, create_plan, submit_plan
from mall.auth_tokens import TokenError, user_for_token
from mall.errors import DomainError
from mall.graphql_view import bearer_token
from mall.uploads import serve_stored_file
from partners import messaging

from .context import dealer_required


class PlanForm(forms.Form):
    fund = forms.ModelChoiceField(label=gettext_lazy("Fund"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=ActivityPlan.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000)
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    requested_amount = forms.DecimalField(label=gettext_lazy("Requested amount"), min_value=0, max_digits=14, decimal_places=2)
    expected_outcome = forms.CharField(label=gettext_lazy("Expected outcome"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, company, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds_for_company(company)


class ProofForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    description = forms.CharField(label=gettext_lazy("Description"), max_length=255, required=False)


class CommentForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=messaging.MAX_COMMENT_LENGTH, required=False)


class ClaimForm(forms.Form):
    actual_spend = forms.DecimalField(label=gettext_lazy("Actual spend"), min_value=0, max_digits=14, decimal_places=2)
    note = forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000)


def _form_errors(form) -> list[str]:
    return [f"{form.fields[name].label or name}: {' '.join(errs)}" if name != "__all__" else " ".join(errs) for name, errs in form.errors.items()]


@dealer_required
def funds(request, company):
    return render(
        request,
        "storefront/funds/index.html",
        {
            "company": company,
            "funds": list(funds_for_company(company)),
            "plans": list(plans_for_company(company)[:100]),
            "can_manage": can_manage_plans(request.user, company),
        },
    )


@dealer_required
def plan_new(request, company):
    form = PlanForm(company, request.POST or None)
    errors = []
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = create_plan(
                    user=request.user,
                    company=company,
                    data=PlanInput(
                        fund_id=data["fund"].pk, kind=data["kind"], title=data["title"], description=data["description"],
                        starts_on=data["starts_on"], ends_on=data["ends_on"], requested_amount=data["requested_amount"],
                        expected_outcome=data["expected_outcome"],
                    ),
                )
            except DomainError as exc:
                errors = [d.message for d in exc.details]
            else:
                messages.success(request, gettext("Plan saved as a draft. Submit it when it is ready."))
                return redirect("storefront:fund_plan", pk=plan.pk)
        else:
            errors = _form_errors(form)
    return render(request, "storefront/funds/plan_new.html", {"form": form, "errors": errors, "company": company}, status=400 if errors else 200)


def _plan_or_404(company, pk) -> ActivityPlan:
    plan = plan_for_company(company, pk)
    if plan is None:
        raise Http404("No such plan.")  # another dealer's plan is "not found" too
    return plan


@dealer_required
def plan_detail(request, company, pk: int):
    return _render_plan(request, company, pk)


def _render_plan(request, company, pk: int, *, errors=(), status=200):
    plan = _plan_or_404(company, pk)
    thread = messaging.existing_thread(plan)
    return render(
        request,
        "storefront/funds/plan_detail.html",
        {
            "comments": list(messaging.comments_of(thread)) if thread else [],
            "comment_form": CommentForm(),
            "action": reverse("storefront:fund_plan_comment", args=[plan.pk]),
            "plan": plan,
            "company": company,
            "history": plan.transitions.select_related("by").order_by("at", "id"),
            "can_manage": can_manage_plans(request.user, company),
            "proof_form": ProofForm(),
            "claim_form": ClaimForm(),
            "errors": list(errors),
        },
        status=status,
    )


@require_POST
@dealer_required
def plan_action(request, company, pk: int):
    """Submit, cancel, upload proof or claim; a refused action shows its message on the page."""
    _plan_or_404(company, pk)
    action = request.POST.get("action")
    try:
        if action == "submit":
            submit_plan(pk, user=request.user, company=company)
            messages.success(request, gettext("Plan sent for approval."))
        elif action == "cancel":
            cancel_plan(pk, user=request.user, company=company, reason=(request.POST.get("reason") or "")[:500])
            messages.success(request, gettext("Plan cancelled."))
        elif action == "proof":
            form = ProofForm(request.POST, request.FILES)
            if not form.is_valid():
                return _render_plan(request, company, pk, errors=_form_errors(form), status=400)
            add_proof(pk, user=request.user, company=company, upload=form.cleaned_data["file"], description=form.cleaned_data["description"])
            messages.success(request, gettext("Proof uploaded."))
        elif action == "claim":
            form = ClaimForm(request.POST)
            if not form.is_valid():
                return _render_plan(request, company, pk, errors=_form_errors(form), status=400)
            submit_claim(pk, user=request.user, company=company, actual_spend=form.cleaned_data["actual_spend"], note=form.cleaned_data["note"])
            messages.success(request, gettext("Claim sent. Channel staff will audit it."))
        else:
            return _render_plan(request, company, pk, errors=[gettext("Unknown action.")], status=400)
    except DomainError as exc:
        return _render_plan(request, company, pk, errors=[d.message for d in exc.details], status=400)
    return redirect("storefront:fund_plan", pk=pk)


@require_POST
@dealer_required
def plan_comment(request, company, pk: int):
    """A comment on the plan's thread with the vendor (both companies see it, nobody else)."""
    plan = _plan_or_404(company, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("A comment may have at most %(limit)s characters.") % {"limit": format(messaging.MAX_COMMENT_LENGTH, ',')})
        return redirect("storefront:fund_plan", pk=pk)
    try:
        messaging.post_comment(
            thread=messaging.thread_for(plan), author=request.user, body=form.cleaned_data["body"],
            files=request.FILES.getlist("attachments"),
        )
    except DomainError as exc:
        messages.error(request, " ".join(d.message for d in exc.details))
    else:
        messages.success(request, gettext("Your comment is posted."))
    return redirect("storefront:fund_plan", pk=pk)


def requesting_user(request):
    """The session user, or the user of an `Authorization: Bearer` token (API clients
    following a file URL from GraphQL). A bad token is nobody."""
    token = bearer_token(request)
    if token is None:
        return request.user
    try:
        return user_for_token(token)
    except TokenError:
        return None


def _proof(request, pk: int, *, thumbnail: bool):
    proof = ProofFile.objects.select_related("plan").filter(pk=pk).first()
    if proof is None:
        raise Http404("No such file.")
    return serve_stored_file(request, proof, allowed=can_view_proof(requesting_user(request), proof), thumbnail=thumbnail)


def proof_file(request, pk: int):
    return _proof(request, pk, thumbnail=False)


def proof_thumbnail(request, pk: int):
    return _proof(request, pk, thumbnail=True)
