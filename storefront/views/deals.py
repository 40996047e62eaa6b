"""Deal registration pages: the dealer's deals, a new registration, one deal with its
history, attributed orders and the comment thread with the vendor."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from deals import selectors, services
from deals.models import Deal
from deals.states import DEALER, allowed_actions
from mall.errors import DomainError
from partners import messaging
from partners.models import Region

from .context import dealer_required

PAGE_SIZE = 25


class DealForm(forms.Form):
    prospect_name = forms.CharField(label=gettext_lazy("Prospect company name"), max_length=255)
    tax_number = forms.CharField(label=gettext_lazy("Tax / registration number"), max_length=64, required=False)
    website = forms.CharField(label=gettext_lazy("Website"), max_length=255, required=False)
    contact_name = forms.CharField(label=gettext_lazy("Contact name"), max_length=255, required=False)
    contact_email = forms.CharField(label=gettext_lazy("Contact e-mail"), max_length=254, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=64, required=False)
    city = forms.CharField(label=gettext_lazy("City"), max_length=128, required=False)
    region = forms.ModelChoiceField(label=gettext_lazy("Region"), queryset=Region.objects.order_by("name"), required=False)
    products_of_interest = forms.CharField(label=gettext_lazy("Products of interest"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False)
    expected_value = forms.DecimalField(label=gettext_lazy("Expected value"), min_value=0, max_digits=14, decimal_places=2, required=False)
    expected_close_date = forms.DateField(label=gettext_lazy("Expected close date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False)

    def as_input(self, currency: str) -> services.DealInput:
        data = dict(self.cleaned_data)
        region = data.pop("region")
        return services.DealInput(**data, region_id=region.pk if region else None, currency=currency)


class CommentForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=messaging.MAX_COMMENT_LENGTH, required=False)


@dealer_required
def deals(request, company):
    page = Paginator(selectors.deals_of(company), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "storefront/deals.html", {"page": page, "company": company})


@dealer_required
def deal_new(request, company):
    form = DealForm(request.POST or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.register_deal(
                company=company, user=request.user, data=form.as_input(company.currency), submit="submit" in request.POST
            )
        except DomainError as exc:
            errors = [d.message for d in exc.details]
        else:
            _announce(request, result)
            return redirect("storefront:deal_detail", pk=result.deal.pk)
    return render(request, "storefront/deal_new.html", {"form": form, "errors": errors, "company": company},
                  status=400 if request.method == "POST" else 200)


def _announce(request, result: services.SubmitResult) -> None:
    if result.conflict:
        messages.warning(request, selectors.CONFLICT_MESSAGE)
    elif result.deal.state == Deal.State.SUBMITTED:
        messages.success(request, gettext("Your deal is submitted for review."))
    else:
        messages.success(request, gettext("Your deal is saved as a draft."))


@dealer_required
def deal_detail(request, company, pk: int):
    deal = selectors.deal_of(company, pk)
    if deal is None:
        raise Http404("No such deal.")
    thread = messaging.existing_thread(deal)
    return render(
        request,
        "storefront/deal_detail.html",
        {
            "deal": deal,
            "company": company,
            "conflict": deal.state != Deal.State.DRAFT and selectors.has_conflict(deal),
            "conflict_message": selectors.CONFLICT_MESSAGE,
            "actions": allowed_actions(deal.state, DEALER),
            "value": selectors.attributed_value(deal),
            "comments": list(messaging.comments_of(thread)) if thread else [],
            "comment_form": CommentForm(),
        },
    )


@require_POST
@dealer_required
def deal_action(request, company, pk: int):
    action = request.POST.get("action")
    try:
        if action == "submit":
            _announce(request, services.submit_deal(pk, company=company, user=request.user))
        elif action in ("win", "lose"):
            services.close_deal(pk, outcome=action, by=request.user, company=company, reason=request.POST.get("reason", "")[:2000])
            messages.success(request, gettext("The outcome is recorded."))
        else:
            messages.error(request, gettext("Unknown action."))
    except DomainError as exc:
        if exc.details[0].code == "NOT_FOUND":
            raise Http404("No such deal.") from None
        messages.error(request, exc.details[0].message)
    return redirect("storefront:deal_detail", pk=pk)


@require_POST
@dealer_required
def deal_comment(request, company, pk: int):
    deal = selectors.deal_of(company, pk)
    if deal is None:
        raise Http404("No such deal.")
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("A comment may have at most 5,000 characters."))
        return redirect("storefront:deal_detail", pk=pk)
    try:
        messaging.post_comment(
            thread=messaging.thread_for(deal), author=request.user, body=form.cleaned_data["body"],
            files=request.FILES.getlist("attachments"),
        )
    except DomainError as exc:
        messages.error(request, " ".join(d.message for d in exc.details))
    else:
        messages.success(request, gettext("Your comment is posted."))
    return redirect("storefront:deal_detail", pk=pk)
