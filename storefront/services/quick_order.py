"""Put many lines into the cart at once, checking each: the quick-order pad, a saved order
list, a past order. Good lines go into the cart; every other line is reported with its
number, what was typed and why, and changes nothing.

The checks, per line, in this order (the first that fails is reported):
REQUIRED (no SKU), UNREADABLE_LINE, UNKNOWN_SKU (or NOT_FOR_SALE for a SKU no longer sold),
INVALID_QUANTITY (QUANTITY_TOO_LARGE for a whole number too long to read); then per SKU,
on the quantity the cart line would hold (every line of the SKU summed, plus what the cart
already holds): NOT_ALLOWED (a certification the dealer
lacks, or a SKU not sold in the dealer's currency), QUANTITY_TOO_LARGE (more than a line
can hold), BELOW_MINIMUM, ABOVE_MAXIMUM, NOT_A_MULTIPLE (order multiple / case pack), and
OUT_OF_STOCK (more than the warehouses hold now).

The cost is fixed whatever the number of lines: one query for the SKUs, one for stock, one
for certifications (none needed in the usual case), and the cart's own writes.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Variant
from catalog.selectors import available_by_variant
from mall.errors import DomainError, ErrorDetail
from partners.models import Company
from pricing_engine.core import ErrorCode, LineRequest, validate_lines
from pricing_engine.loaders import catalog_item
from storefront.models import Cart, CartLine
from storefront.quick_order_input import MAX_LINES, Entry
from storefront.services.cart import LineChange, add_lines, get_or_create_cart
from storefront.services.skus import MAX_SKU_LENGTH, resolve_skus
from training.selectors import missing_certifications


@dataclass
class Candidate:
    """A line to check: where it came from, what it asks for, and the SKU it names."""

    index: int  # position in the submission (0-based): the `lines.<index>` of an error's field
    number: int  # what the buyer calls it: line of the paste, row of the file, list position
    typed: str
    sku: str
    quantity: int | None
    variant: Variant | None
    problem: ErrorDetail | None = None  # found before the catalog was asked (unreadable, no SKU)
    quantity_text: str = ""


@dataclass
class LineResult:
    index: int
    number: int
    typed: str
    sku: str
    quantity: int | None
    variant: Variant | None = None
    errors: list[ErrorDetail] = field(default_factory=list)

    @property
    def added(self) -> bool:
        return self.variant is not None and not self.errors

    @property
    def name(self) -> str:
        return self.variant.display_name if self.variant is not None else ""


@dataclass(frozen=True)
class Outcome:
    lines: list[LineResult]
    added: dict[str, int]  # SKU -> units put into the cart

    @property
    def failed(self) -> list[LineResult]:
        return [line for line in self.lines if not line.added]

    @property
    def errors(self) -> list[ErrorDetail]:
        return [error for line in self.lines for error in line.errors]


def _error(candidate: Candidate, part: str, code: str, message: str) -> ErrorDetail:
    return ErrorDetail(f"lines.{candidate.index}.{part}", code, message)


def _for_sale(variant: Variant) -> bool:
    return variant.is_active and variant.product.is_active


def _line_problem(candidate: Candidate) -> ErrorDetail | None:
    """What is wrong with the line on its own, before SKUs are taken together."""
    if candidate.problem is not None:
        return candidate.problem
    if not candidate.sku:
        return _error(candidate, "sku", "REQUIRED", _("This line has no SKU."))
    if candidate.variant is None:
        return _error(candidate, "sku", "UNKNOWN_SKU", _("No product with SKU “%(sku)s” is for sale; check the code.") % {"sku": candidate.sku[:MAX_SKU_LENGTH]})
    if not _for_sale(candidate.variant):
        return _error(candidate, "sku", "NOT_FOR_SALE", _("%(sku)s is no longer for sale.") % {"sku": candidate.variant.sku})
    if candidate.quantity is None or candidate.quantity < 1:
        if not candidate.quantity_text and candidate.quantity is None:
            return _error(candidate, "quantity", "INVALID_QUANTITY", _("Give a quantity after the SKU."))
        shown = candidate.quantity_text or str(candidate.quantity)
        if _too_many_digits(shown):  # a whole number, but longer than any quantity is read
            return _error(candidate, "quantity", "QUANTITY_TOO_LARGE", _(
                "%(amount)s of %(sku)s is more than %(max)s, the most one line can hold."
            ) % {"amount": shown, "sku": candidate.variant.sku, "max": f"{settings.MAX_LINE_QUANTITY:,}"})
        return _error(
            candidate, "quantity", "INVALID_QUANTITY",
            _("“%(typed)s” is not a quantity; give a whole number of at least 1.") % {"typed": shown},
        )
    return None


def _too_many_digits(text: str) -> bool:
    """A whole number too long for parse_quantity (more than 12 digits): past any cap."""
    text = text.strip().strip("\"'").strip().removeprefix("+")
    return text.isascii() and text.isdigit() and len(text.lstrip("0")) > 12


def _amount(total: int, in_cart: int, lines: int) -> str:
    """The quantity a rule was checked on, said so the buyer sees where it comes from."""
    if in_cart:
        return _("%(total)s (counting %(cart)s already in your cart)") % {"total": f"{total:,}", "cart": f"{in_cart:,}"}
    if lines > 1:
        return _("%(total)s (all lines of this SKU together)") % {"total": f"{total:,}"}
    return f"{total:,}"


def _rule_messages(variant: Variant, total: int, amount: str, currency: str) -> list[tuple[str, str]]:
    """(code, message) for the quantity rules the pricing core checks, worded for the pad."""
    found = validate_lines(
        [LineRequest(sku=variant.sku, quantity=total)], {variant.sku: catalog_item(variant)}, currency,
        max_line_quantity=settings.MAX_LINE_QUANTITY,
    ).errors
    out = []
    sku = variant.sku
    for error in found:
        code = error.code
        if code == ErrorCode.CURRENCY_MISMATCH:
            out.append(("NOT_ALLOWED", _("%(sku)s is not sold in %(currency)s, your account's currency.") % {"sku": sku, "currency": currency}))
        elif code == ErrorCode.QUANTITY_TOO_LARGE:
            out.append(("QUANTITY_TOO_LARGE", _("%(amount)s of %(sku)s is more than %(max)s, the most one line can hold.") % {
                "amount": amount, "sku": sku, "max": f"{settings.MAX_LINE_QUANTITY:,}"}))
        elif code == ErrorCode.BELOW_MINIMUM:
            out.append(("BELOW_MINIMUM", _("%(sku)s has a minimum order of %(minimum)s; %(amount)s is below it.") % {
                "sku": sku, "minimum": f"{variant.min_quantity:,}", "amount": amount}))
        elif code == ErrorCode.ABOVE_MAXIMUM:
            out.append(("ABOVE_MAXIMUM", _("%(sku)s can be ordered up to %(maximum)s at a time; %(amount)s is above it.") % {
                "sku": sku, "maximum": f"{variant.max_quantity:,}", "amount": amount}))
        elif code == ErrorCode.NOT_ORDER_MULTIPLE:
            step = variant.order_multiple
            lower, upper = total - total % step, total - total % step + step
            closest = (_("%(lower)s or %(upper)s") % {"lower": f"{lower:,}", "upper": f"{upper:,}"}) if lower else f"{upper:,}"
            out.append(("NOT_A_MULTIPLE", _("%(sku)s is sold in multiples of %(step)s; %(amount)s is not one. Try %(closest)s.") % {
                "sku": sku, "step": f"{step:,}", "amount": amount, "closest": closest}))
    return out


def _stock_message(sku: str, available: int, amount: str) -> str:
    if available <= 0:
        return _("%(sku)s is out of stock.") % {"sku": sku}
    return _("Only %(available)s of %(sku)s in stock; you asked for %(amount)s.") % {
        "available": f"{available:,}", "sku": sku, "amount": amount}


def check(company: Company, candidates: Sequence[Candidate], in_cart: dict[int, int]) -> list[LineResult]:
    """Every candidate's result. `in_cart`: units of each variant id already in the cart."""
    results = [LineResult(c.index, c.number, c.typed, c.sku, c.quantity, c.variant) for c in candidates]
    by_variant: dict[int, list[LineResult]] = defaultdict(list)
    for candidate, result in zip(candidates, results, strict=True):
        problem = _line_problem(candidate)
        if problem is not None:
            result.errors.append(problem)
        else:
            result.sku = candidate.variant.sku
            by_variant[candidate.variant.pk].append(result)
    if not by_variant:
        return results
    variants = {pk: rows[0].variant for pk, rows in by_variant.items()}
    available = available_by_variant(variants)
    missing = missing_certifications(company, variants.values())
    currency = company.currency or settings.DEFAULT_CURRENCY
    for pk, rows in by_variant.items():
        variant = variants[pk]
        total = sum(r.quantity for r in rows) + in_cart.get(pk, 0)
        amount = _amount(total, in_cart.get(pk, 0), len(rows))
        problems: list[tuple[str, str, str]] = []
        if variant.sku in missing:
            courses = " ".join(f"“{c.title}”" for c in missing[variant.sku])
            problems.append(("sku", "NOT_ALLOWED", _(
                "Ordering %(sku)s needs the academy course %(courses)s; someone at your company must pass it first."
            ) % {"sku": variant.sku, "courses": courses}))
        problems += [("quantity", code, text) for code, text in _rule_messages(variant, total, amount, currency)]
        if not problems and total > available.get(pk, 0):
            problems.append(("quantity", "OUT_OF_STOCK", _stock_message(variant.sku, available.get(pk, 0), amount)))
        for row in rows:
            row.errors.extend(ErrorDetail(f"lines.{row.index}.{part}", code, text) for part, code, text in problems)
    return results


@transaction.atomic
def add_candidates(user, company: Company, candidates: Sequence[Candidate]) -> Outcome:
    """Check the candidates against the cart as it is and put the good ones in (quantities
    added to lines already there). The cart row is locked first, so two submissions of the
    same buyer are checked one after the other."""
    cart = get_or_create_cart(user, company)
    Cart.objects.select_for_update().filter(pk=cart.pk).values_list("pk").get()
    in_cart = dict(CartLine.objects.filter(cart=cart).values_list("variant_id", "quantity"))
    results = check(company, candidates, in_cart)
    good: dict[str, int] = {}
    for result in results:
        if result.added:
            good[result.variant.sku] = good.get(result.variant.sku, 0) + result.quantity
    if good:
        add_lines(user, company, [LineChange(sku, quantity) for sku, quantity in good.items()])
    return Outcome(results, good)


def candidates_from(entries: Sequence[Entry]) -> list[Candidate]:
    variants = resolve_skus([e.sku for e in entries])
    return [
        Candidate(
            index=i, number=e.number, typed=e.typed, sku=e.sku, quantity=e.quantity, variant=variants.get(e.sku),
            problem=ErrorDetail(f"lines.{i}", e.problem.code, e.problem.message) if e.problem else None,
            quantity_text=e.quantity_text,
        )
        for i, e in enumerate(entries)
    ]


def quick_order_add(user, company: Company, entries: Sequence[Entry]) -> Outcome:
    """The quick-order pad and quickOrderAdd: at most MAX_LINES entries (TOO_MANY_LINES),
    at least one (REQUIRED)."""
    if not entries:
        raise DomainError.single("lines", "REQUIRED", _("Paste or type at least one line: a SKU and a quantity."))
    if len(entries) > MAX_LINES:
        raise DomainError.single(
            "lines", "TOO_MANY_LINES",
            _("Give at most %(max)d lines at once; split the order into several pastes or files.") % {"max": MAX_LINES},
        )
    return add_candidates(user, company, candidates_from(entries))
