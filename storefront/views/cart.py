"""The cart page and its forms: add (from anywhere), update quantities, remove, quick add,
and voucher codes (apply, remove).

Successful changes redirect (post/redirect/get). Errors are shown where the dealer is: on the
cart page inline next to the line, or, for an add from the catalog, as a message back there.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from catalog.selectors import available_by_variant
from mall.errors import DomainError
from pricing_engine.core import PricedCart, PricedLine, PricingError, normalize_code
from storefront.forms import AddToCartForm, VoucherForm, clean_text, form_messages, quantity_field
from storefront.models import Cart, CartLine
from storefront.pricing import price_lines
from storefront.services.cart import (
    LineChange,
    add_lines,
    apply_voucher,
    remove_lines,
    remove_voucher,
    update_lines,
)

from .context import currency_of, dealer_required, forget_cart_count, remember_cart_count
from .rebates import rebate_credit_offer


@dataclass
class CartRow:
    line: CartLine
    priced: PricedLine | None
    available: int
    errors: list[str] = field(default_factory=list)
    typed_quantity: str | None = None

    @property
    def sku(self) -> str:
        return self.line.variant.sku

    @property
    def for_sale(self) -> bool:
        variant = self.line.variant
        return variant.is_active and variant.product.is_active

    @property
    def short(self) -> bool:
        return self.line.quantity > self.available


@dataclass(frozen=True)
class GiftRow:
    sku: str
    name: str
    quantity: int
    source: str  # the promotion that gives it


@dataclass(frozen=True)
class VoucherRow:
    code: str
    problem: str | None  # why it does not apply now (checkout refuses it), or None


@dataclass
class CartView:
    rows: list[CartRow]
    priced: PricedCart | None
    currency: str
    errors: list[str] = field(default_factory=list)
    ready: bool = False  # checkout can be tried: lines, all priced, all for sale, vouchers usable
    vouchers: list[VoucherRow] = field(default_factory=list)
    gifts: list[GiftRow] = field(default_factory=list)
    voucher_errors: list[str] = field(default_factory=list)  # from the voucher form, shown next to it
    typed_voucher: str = ""

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def voucher_problems(self) -> bool:
        return any(v.problem for v in self.vouchers)


def build_cart(user, company) -> CartView:
    """The cart priced now: one query for the lines (and the cart's voucher codes), one for
    stock, then the prices (price lists, promotions, vouchers: a fixed number of queries)."""
    lines = list(
        CartLine.objects.filter(cart__user=user, cart__company=company)
        .select_related("cart", "variant__product")
        .order_by("added_at", "id")
    )
    currency = currency_of(company)
    if not lines:
        codes = Cart.objects.filter(user=user, company=company).values_list("voucher_codes", flat=True).first() or []
        return CartView([], None, currency, vouchers=[VoucherRow(c, None) for c in codes])
    codes = list(lines[0].cart.voucher_codes or [])
    variants: dict = {}
    errors: list[str] = []
    priced = None
    priced_by_sku: dict[str, PricedLine] = {}
    errors_by_sku: dict[str, list[str]] = {}
    try:
        selection = price_lines(company, {line.variant: line.quantity for line in lines}, voucher_codes=codes)
        priced, variants = selection.priced, selection.variants
    except PricingError as exc:
        errors.append(gettext("Your cart cannot be priced just now (%(exc)s); please contact your account manager.") % {"exc": exc})
    else:
        priced_by_sku = {p.sku: p for p in priced.lines}
        for error in priced.errors:
            errors_by_sku.setdefault(error.sku, []).append(error.message)
    available = available_by_variant([line.variant_id for line in lines])
    rows = []
    for line in lines:
        row = CartRow(line, priced_by_sku.get(line.variant.sku), available.get(line.variant_id, 0))
        row.errors.extend(errors_by_sku.get(row.sku, []))
        if not row.for_sale:
            row.errors.append(f"{row.sku} is no longer for sale; remove it from your cart.")
        rows.append(row)
    problems = {e.voucher_code: e.message for e in priced.voucher_errors} if priced else {}
    vouchers = [VoucherRow(code, problems.get(code)) for code in codes]
    gifts = [
        GiftRow(g.sku, variants[g.sku].display_name if g.sku in variants else g.sku, g.quantity, g.source_name)
        for g in (priced.gift_lines if priced else ())
    ]
    ready = not errors and all(r.priced and not r.errors for r in rows) and not any(v.problem for v in vouchers)
    return CartView(rows, priced, priced.currency if priced else currency, errors, ready, vouchers, gifts)


def render_cart(
    request, company, *, errors=(), line_errors=None, typed=None, quick=None, voucher_errors=(), voucher="", status=200
):
    cart = build_cart(request.user, company)
    remember_cart_count(request, len(cart.rows))
    cart.errors = list(errors) + cart.errors
    cart.voucher_errors = list(voucher_errors)
    cart.typed_voucher = voucher
    for row in cart.rows:
        row.errors = (line_errors or {}).get(row.sku, []) + row.errors
        if typed and row.sku in typed:
            row.typed_quantity = typed[row.sku]
    return render(
        request,
        "storefront/cart.html",
        {
            "cart": cart,
            "company": company,
            "quick": quick or {},
            "max_quantity": settings.MAX_LINE_QUANTITY,
            # The rebate wallet pays part of the order at checkout; the cart says how much (one query).
            "rebate": rebate_credit_offer(company, cart.priced.total) if cart.priced else None,
        },
        status=status,
    )


def _split_errors(exc: DomainError, skus_by_index: dict[int, str]) -> tuple[list[str], dict[str, list[str]]]:
    """Service errors: those naming a line ("lines.2.quantity") go next to it, the rest on top."""
    general: list[str] = []
    by_sku: dict[str, list[str]] = {}
    for detail in exc.details:
        parts = (detail.field or "").split(".")
        if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) in skus_by_index:
            by_sku.setdefault(skus_by_index[int(parts[1])], []).append(detail.message)
        else:
            general.append(detail.message)
    return general, by_sku


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or ""
    if target and "\x00" not in target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@dataclass
class _Redirect:
    url: str


def _back_to(request) -> _Redirect | None:
    """Where an add came from when that is not the cart page itself."""
    target = _safe_next(request)
    cart_url = reverse("storefront:cart")
    if target and not target.split("?")[0] == cart_url:
        return _Redirect(target)
    return None


@dealer_required
def cart(request, company):
    return render_cart(request, company)


@dealer_required
def cart_add(request, company):
    """Add one SKU (from a product card, the product page or the quick-add box)."""
    if request.method != "POST":
        return redirect("storefront:cart")
    form = AddToCartForm(request.POST)
    back = _back_to(request)
    # What was typed goes back into the quick-add box, without NUL bytes.
    quick = {k: request.POST.get(k, "").replace("\x00", "")[:n] for k, n in (("sku", 64), ("quantity", 20))}
    if not form.is_valid():
        problems = form_messages(form)
        if back:
            for problem in problems:
                messages.error(request, problem)
            return redirect(back.url)
        return render_cart(request, company, errors=problems, quick=quick, status=400)
    sku, quantity = form.cleaned_data["sku"].strip(), form.cleaned_data["quantity"]
    try:
        add_lines(request.user, company, [LineChange(sku, quantity)])
    except DomainError as exc:
        problems = [d.message for d in exc.details]
        if back:
            for problem in problems:
                messages.error(request, problem)
            return redirect(back.url)
        return render_cart(request, company, errors=problems, quick=quick, status=400)
    forget_cart_count(request)
    messages.success(request, gettext("Added %(quantity)s × %(sku)s to your cart.") % {"quantity": quantity, "sku": sku})
    return redirect(back.url if back else "storefront:cart")


@dealer_required
def cart_update(request, company):
    """Set the quantities of the cart's lines; 0 removes a line. All or nothing."""
    if request.method != "POST":
        return redirect("storefront:cart")
    skus = [clean_text(s) for s in request.POST.getlist("sku")]
    typed = request.POST.getlist("quantity")
    if not skus or None in skus or len(skus) != len(typed):
        return render_cart(request, company, errors=[gettext("Nothing to update: the form was incomplete.")], status=400)
    field = quantity_field(min_value=0)
    changes, removals = [], []
    line_errors: dict[str, list[str]] = {}
    for sku, raw in zip(skus, typed, strict=True):
        try:
            value = field.clean(raw.strip()[:40])
        except ValidationError as exc:
            line_errors.setdefault(sku, []).extend(exc.messages)
            continue
        if value == 0:
            removals.append(sku)
        else:
            changes.append(LineChange(sku, value))
    typed_by_sku = {sku: raw[:40] for sku, raw in zip(skus, typed, strict=True)}
    if line_errors:
        return render_cart(request, company, line_errors=line_errors, typed=typed_by_sku, status=400)
    try:
        with transaction.atomic():
            if changes:
                update_lines(request.user, company, changes)
            if removals:
                remove_lines(request.user, company, removals)
    except DomainError as exc:
        general, by_sku = _split_errors(exc, {i: c.sku for i, c in enumerate(changes)})
        return render_cart(request, company, errors=general, line_errors=by_sku, typed=typed_by_sku, status=400)
    forget_cart_count(request)
    messages.success(request, gettext("Your cart is updated."))
    return redirect("storefront:cart")


@dealer_required
def cart_remove(request, company):
    if request.method != "POST":
        return redirect("storefront:cart")
    sku = clean_text(request.POST.get("remove") or request.POST.get("sku"))
    if sku is None:
        return render_cart(request, company, errors=[gettext("Choose a line of your cart to remove.")], status=400)
    try:
        remove_lines(request.user, company, [sku])
    except DomainError as exc:
        return render_cart(request, company, errors=[d.message for d in exc.details], status=400)
    forget_cart_count(request)
    messages.success(request, gettext("Removed %(sku)s from your cart.") % {"sku": sku})
    return redirect("storefront:cart")


def _typed_voucher(request) -> str:
    return (request.POST.get("code") or "").replace("\x00", "")[:64]


@dealer_required
def cart_voucher_apply(request, company):
    """Put a voucher code on the cart; a code that cannot be used is explained next to the box."""
    if request.method != "POST":
        return redirect("storefront:cart")
    form = VoucherForm(request.POST)
    if not form.is_valid():
        return render_cart(request, company, voucher_errors=form_messages(form), voucher=_typed_voucher(request), status=400)
    try:
        apply_voucher(request.user, company, form.cleaned_data["code"])
    except DomainError as exc:
        return render_cart(
            request, company, voucher_errors=[d.message for d in exc.details], voucher=_typed_voucher(request), status=400
        )
    messages.success(request, gettext("Voucher %(code)s is on your cart.") % {"code": normalize_code(form.cleaned_data['code'])})
    return redirect("storefront:cart")


@dealer_required
def cart_voucher_remove(request, company):
    if request.method != "POST":
        return redirect("storefront:cart")
    code = clean_text(request.POST.get("code"))
    if code is None:
        return render_cart(request, company, voucher_errors=[gettext("Choose a voucher to remove.")], status=400)
    try:
        remove_voucher(request.user, company, code)
    except DomainError as exc:
        return render_cart(request, company, voucher_errors=[d.message for d in exc.details], status=400)
    messages.success(request, gettext("Removed voucher %(code)s from your cart.") % {"code": code.upper()})
    return redirect("storefront:cart")
