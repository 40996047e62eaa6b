"""Saved order lists: the company's lists, one list (rename, quantities, remove, delete,
add a SKU), "Save as list" from the cart, "Add to list" from a product page, and the whole
list into the cart in one click. Another company's list is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from mall.errors import DomainError, ErrorDetail
from storefront.forms import clean_text, quantity_field
from storefront.models import OrderList
from storefront.services import order_lists as lists

from .context import dealer_required, forget_cart_count
from .quick_order import cart_additions

ACTIONS = ("rename", "update", "remove", "delete", "add")


def _typed(request, name: str, length: int = 200) -> str:
    return (request.POST.get(name) or "").replace("\x00", "")[:length]


def _lists_page(request, company, *, errors=(), name: str = "", status: int = 200):
    rows = OrderList.objects.filter(company=company).annotate(line_count=Count("lines")).select_related("created_by")
    return render(
        request, "storefront/order_lists.html",
        {"company": company, "lists": rows, "errors": list(errors), "name": name}, status=status,
    )


@dealer_required
def order_lists(request, company):
    """GET: the company's lists. POST `name`: a new, empty list."""
    if request.method != "POST":
        return _lists_page(request, company)
    try:
        order_list = lists.create_list(request.user, company, _typed(request, "name"))
    except DomainError as exc:
        return _lists_page(request, company, errors=[d.message for d in exc.details], name=_typed(request, "name", 120), status=400)
    messages.success(request, _("Created the list “%(name)s”.") % {"name": order_list.name})
    return redirect("storefront:order_list", pk=order_list.pk)


def _list_or_404(company, pk) -> OrderList:
    try:
        return lists.get_list(company, pk)
    except DomainError:
        raise Http404("No such list.") from None


def _list_page(request, company, order_list, *, errors=(), status: int = 200):
    lines = list(order_list.lines.select_related("variant__product").order_by("position", "id"))
    return render(
        request, "storefront/order_list.html",
        {"company": company, "order_list": order_list, "lines": lines, "errors": list(errors)}, status=status,
    )


def _quantities(request) -> list[tuple[str, int]]:
    """The update form's SKU / quantity pairs; a quantity that is not a number is an error."""
    skus = [clean_text(s) for s in request.POST.getlist("sku")]
    typed = request.POST.getlist("quantity")
    if not skus or None in skus or len(skus) != len(typed):
        raise DomainError.single("lines", "INCOMPLETE", _("Nothing to update: the form was incomplete."))
    field = quantity_field(min_value=0)
    pairs, problems = [], []
    for sku, raw in zip(skus, typed, strict=True):
        try:
            pairs.append((sku, field.clean(raw.strip()[:40])))
        except ValidationError as exc:
            problems.extend(f"{sku}: {m}" for m in exc.messages)
    if problems:
        raise DomainError(*(ErrorDetail("lines", "INVALID_QUANTITY", p) for p in problems))
    return pairs


def _act(request, company, order_list, action: str):
    if action == "rename":
        lists.rename_list(company, order_list.pk, _typed(request, "name"))
        return _("Renamed the list.")
    if action == "update":
        lists.set_quantities(company, order_list.pk, _quantities(request))
        return _("The list is updated.")
    if action == "remove":
        sku = clean_text(request.POST.get("remove"))
        lists.remove_lines(company, order_list.pk, [sku] if sku else [])
        return _("Removed %(sku)s from the list.") % {"sku": sku}
    if action == "add":
        quantity = quantity_field().clean(_typed(request, "quantity", 40).strip())
        lists.add_item(company, order_list.pk, clean_text(request.POST.get("sku")) or "", quantity)
        return _("Added to the list.")
    if request.POST.get("confirm") != "yes":
        raise DomainError.single("confirm", "NOT_CONFIRMED", _("Tick the box to confirm that the list is to be deleted."))
    lists.delete_list(company, order_list.pk)
    return _("Deleted the list “%(name)s”.") % {"name": order_list.name}


@dealer_required
def order_list(request, company, pk: int):
    """GET: the list. POST `action`: rename (`name`), update (`sku`/`quantity` pairs, 0
    removes), add (`sku`, `quantity`), delete; or `remove`=SKU."""
    order_list = _list_or_404(company, pk)
    if request.method != "POST":
        return _list_page(request, company, order_list)
    # A line's "Remove" button sits inside the quantities form and names its SKU.
    action = "remove" if request.POST.get("remove") else request.POST.get("action")
    if action not in ACTIONS:
        return _list_page(request, company, order_list, errors=[_("Choose what to do with the list.")], status=400)
    try:
        done = _act(request, company, order_list, action)
    except ValidationError as exc:
        return _list_page(request, company, order_list, errors=exc.messages, status=400)
    except DomainError as exc:
        order_list.refresh_from_db()
        return _list_page(request, company, order_list, errors=[d.message for d in exc.details], status=400)
    messages.success(request, done)
    return redirect("storefront:order_lists") if action == "delete" else redirect("storefront:order_list", pk=order_list.pk)


@dealer_required
def order_list_add_to_cart(request, company, pk: int):
    if request.method != "POST":
        return redirect("storefront:order_list", pk=_list_or_404(company, pk).pk)
    try:
        order_list, outcome = lists.add_list_to_cart(request.user, company, pk)
    except DomainError as exc:
        order_list = _list_or_404(company, pk)  # another company's list: 404
        return _list_page(request, company, order_list, errors=[d.message for d in exc.details], status=400)
    forget_cart_count(request)
    return cart_additions(request, company, outcome, title=_("List “%(name)s”") % {"name": order_list.name})


@dealer_required
def cart_save_as_list(request, company):
    """POST `name`: the cart's lines as a new list (the cart stays as it is)."""
    if request.method != "POST":
        return redirect("storefront:cart")
    try:
        order_list = lists.create_from_cart(request.user, company, _typed(request, "name"))
    except DomainError as exc:
        for detail in exc.details:
            messages.error(request, detail.message)
        return redirect("storefront:cart")
    messages.success(request, _("Saved your cart as the list “%(name)s”.") % {"name": order_list.name})
    return redirect("storefront:order_list", pk=order_list.pk)


def _back(request) -> str | None:
    target = request.POST.get("next") or ""
    if target and "\x00" not in target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@dealer_required
def order_list_add_item(request, company):
    """POST from a product page: `order_list` (a list id, or "new" with `new_name`), `sku`,
    `quantity`; back to the page with a message."""
    back = _back(request)
    if request.method != "POST":
        return redirect(back or "storefront:order_lists")
    sku = clean_text(request.POST.get("sku")) or ""
    try:
        quantity = quantity_field().clean(_typed(request, "quantity", 40).strip())
        choice = request.POST.get("order_list") or ""
        with transaction.atomic():  # a new list is kept only if the SKU goes onto it
            if choice == "new":
                target = lists.create_list(request.user, company, _typed(request, "new_name"))
            else:
                target = lists.get_list(company, choice)
            lists.add_item(company, target.pk, sku, quantity)
    except ValidationError as exc:
        for problem in exc.messages:
            messages.error(request, problem)
    except DomainError as exc:
        for detail in exc.details:
            messages.error(request, detail.message)
    else:
        messages.success(request, _("Added %(quantity)s × %(sku)s to the list “%(name)s”.") % {
            "quantity": quantity, "sku": sku, "name": target.name})
    return redirect(back or "storefront:order_lists")
