"""Cart writes. A cart holds SKUs and quantities only; prices are worked out when shown."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from catalog.models import Variant
from mall.errors import DomainError, ErrorDetail
from partners.models import Company
from pricing_engine.core import ErrorCode
from pricing_engine.core.vouchers import normalize_code
from storefront.models import Cart, CartLine
from storefront.pricing import price_lines
from storefront.services.skus import match_sku, resolve_skus

# Voucher problems that mean the code cannot be used at all (not just "not yet qualifying").
UNUSABLE_VOUCHER = {ErrorCode.VOUCHER_NOT_FOUND, ErrorCode.VOUCHER_EXPIRED, ErrorCode.VOUCHER_USED_UP}


@dataclass(frozen=True)
class LineChange:
    sku: str
    quantity: int


def get_or_create_cart(user, company: Company) -> Cart:
    cart, _ = Cart.objects.get_or_create(user=user, company=company)
    return cart


def _check_lines(lines: Sequence[LineChange], *, field: str = "lines") -> list[tuple[int, Variant, int]]:
    """Validate SKUs and quantities: (index, variant, quantity) per line, in the order given.
    A SKU is found as quick order finds it (storefront/services/skus.py: exactly, else in
    another case when that names one SKU). Raises every problem at once."""
    errors: list[ErrorDetail] = []
    if not lines:
        raise DomainError.single(field, "REQUIRED", gettext("Give at least one line."))
    good: list[tuple[int, str, int]] = []
    for index, line in enumerate(lines):
        sku = (line.sku or "").strip()
        where = f"{field}.{index}"
        if not sku:
            errors.append(ErrorDetail(f"{where}.sku", "REQUIRED", gettext("SKU is empty.")))
            continue
        if not isinstance(line.quantity, int) or isinstance(line.quantity, bool) or line.quantity <= 0:
            errors.append(ErrorDetail(f"{where}.quantity", "INVALID_QUANTITY", gettext("Quantity of %(sku)s must be a whole number above 0.") % {"sku": sku}))
            continue
        if line.quantity > settings.MAX_LINE_QUANTITY:
            errors.append(
                ErrorDetail(
                    f"{where}.quantity",
                    "QUANTITY_TOO_LARGE",
                    gettext("%(quantity)s of %(sku)s is more than %(limit)s, the most one line can hold.") % {"quantity": line.quantity, "sku": sku, "limit": settings.MAX_LINE_QUANTITY},
                )
            )
            continue
        good.append((index, sku, line.quantity))
    variants = resolve_skus([sku for _i, sku, _q in good])
    for index, sku, _q in good:
        if sku not in variants:
            errors.append(ErrorDetail(f"{field}.{index}.sku", "UNKNOWN_SKU", gettext("No product with SKU %(value)s is for sale.") % {"value": repr(sku[:64])}))
    if errors:
        raise DomainError(*errors)
    return [(index, variants[sku], quantity) for index, sku, quantity in good]


def _over_the_cap(checked: Sequence[tuple[int, Variant, int]], in_cart: dict[int, int], *, field: str = "lines") -> list[ErrorDetail]:
    """QUANTITY_TOO_LARGE for each SKU whose cart line would pass the cap: the lines of the
    SKU are added, in order, to what the cart holds; the error is on the line that passes it."""
    held = dict(in_cart)
    lines_of: dict[int, int] = {}
    errors, refused = [], set()
    for index, variant, quantity in checked:
        lines_of[variant.pk] = lines_of.get(variant.pk, 0) + 1
        total = held.get(variant.pk, 0) + quantity
        held[variant.pk] = total
        if total <= settings.MAX_LINE_QUANTITY or variant.pk in refused:
            continue
        refused.add(variant.pk)
        values = {"quantity": total, "sku": variant.sku, "limit": settings.MAX_LINE_QUANTITY, "cart": in_cart.get(variant.pk, 0)}
        if in_cart.get(variant.pk):
            message = gettext("%(quantity)s of %(sku)s (counting %(cart)s already in your cart) is more than %(limit)s, the most one line can hold.") % values
        else:
            message = gettext("%(quantity)s of %(sku)s (all lines of this SKU together) is more than %(limit)s, the most one line can hold.") % values
        errors.append(ErrorDetail(f"{field}.{index}.quantity", "QUANTITY_TOO_LARGE", message))
    return errors


@transaction.atomic
def add_lines(user, company: Company, lines: Sequence[LineChange]) -> Cart:
    """Add quantities to the cart (an SKU already there gets the quantities added; lines of
    one SKU are summed). All or nothing: a line that would pass the cap changes nothing."""
    checked = _check_lines(lines)
    cart = get_or_create_cart(user, company)
    current = {line.variant_id: line for line in CartLine.objects.select_for_update().filter(cart=cart)}
    errors = _over_the_cap(checked, {pk: line.quantity for pk, line in current.items()})
    if errors:
        raise DomainError(*errors)
    wanted: dict[Variant, int] = {}
    for _index, variant, quantity in checked:
        wanted[variant] = wanted.get(variant, 0) + quantity
    new, changed = [], []
    for variant, qty in wanted.items():
        line = current.get(variant.pk)
        if line is None:
            new.append(CartLine(cart=cart, variant=variant, quantity=qty))
            continue
        line.quantity += qty
        changed.append(line)
    CartLine.objects.bulk_create(new)
    CartLine.objects.bulk_update(changed, ["quantity"])
    return cart


def _duplicate(index: int, sku: str) -> DomainError:
    return DomainError.single(f"lines.{index}.sku", "DUPLICATE_SKU", gettext("%(value)s appears twice; give each SKU once.") % {"value": sku[:64]})


@transaction.atomic
def update_lines(user, company: Company, lines: Sequence[LineChange]) -> Cart:
    """Set the quantity of SKUs already in the cart. Each SKU at most once: setting a
    quantity twice in one call is ambiguous, so it is refused rather than summed."""
    seen: set[str] = set()
    for index, line in enumerate(lines):
        sku = (line.sku or "").strip()
        if sku and sku in seen:
            raise _duplicate(index, sku)
        seen.add(sku)
    checked = _check_lines(lines)
    wanted: dict[Variant, int] = {}
    for index, variant, quantity in checked:  # one SKU typed in two cases
        if variant in wanted:
            raise _duplicate(index, (lines[index].sku or "").strip())
        wanted[variant] = quantity
    cart = get_or_create_cart(user, company)
    current = {line.variant_id: line for line in CartLine.objects.select_for_update().filter(cart=cart)}
    missing = [v.sku for v in wanted if v.pk not in current]
    if missing:
        raise DomainError(
            *(ErrorDetail("lines", "NOT_IN_CART", gettext("%(sku)s is not in your cart; add it first.") % {"sku": sku}) for sku in missing)
        )
    changed = []
    for variant, qty in wanted.items():
        line = current[variant.pk]
        line.quantity = qty
        changed.append(line)
    CartLine.objects.bulk_update(changed, ["quantity"])
    return cart


@transaction.atomic
def remove_lines(user, company: Company, skus: Sequence[str]) -> Cart:
    cart = get_or_create_cart(user, company)
    skus = [s.strip() for s in skus if s and s.strip()]
    if not skus:
        raise DomainError.single("skus", "REQUIRED", gettext("Name at least one SKU to remove."))
    present = dict(CartLine.objects.filter(cart=cart).values_list("variant__sku", "pk"))
    matched = {s: match_sku(s, present) for s in skus}  # another case names the line too
    missing = [s for s, match in matched.items() if match is None]
    if missing:
        raise DomainError(*(ErrorDetail("skus", "NOT_IN_CART", gettext("%(value)s is not in your cart.") % {"value": s[:64]}) for s in missing))
    CartLine.objects.filter(pk__in=[present[match] for match in matched.values()]).delete()
    return cart


@transaction.atomic
def clear_cart(user, company: Company) -> None:
    CartLine.objects.filter(cart__user=user, cart__company=company).delete()
    Cart.objects.filter(user=user, company=company).exclude(voucher_codes=[]).update(voucher_codes=[])


MAX_VOUCHERS = 5


@transaction.atomic
def apply_voucher(user, company: Company, code: str) -> Cart:
    """Put a voucher code on the cart. The code must exist and be usable by this dealer now;
    whether the cart qualifies (minimum spend, products) is shown, and checked at checkout."""
    normalised = normalize_code(code or "")
    if not normalised or len(normalised) > 64 or "\x00" in normalised:
        raise DomainError.single("voucher_code", "VOUCHER_NOT_FOUND", gettext("Enter the voucher code as printed."))
    cart = Cart.objects.select_for_update().get(pk=get_or_create_cart(user, company).pk)
    if normalised in cart.voucher_codes:
        return cart
    if len(cart.voucher_codes) >= MAX_VOUCHERS:
        raise DomainError.single("voucher_code", "TOO_MANY_VOUCHERS", gettext("At most %(limit)s vouchers on one order.") % {"limit": MAX_VOUCHERS})
    lines = {line.variant: line.quantity for line in CartLine.objects.filter(cart=cart).select_related("variant__product")}
    priced = price_lines(company, lines, voucher_codes=[normalised]).priced
    refused = [e for e in priced.voucher_errors if e.code in UNUSABLE_VOUCHER]
    if refused:
        raise DomainError.single("voucher_code", str(refused[0].code).upper(), refused[0].message)
    cart.voucher_codes = [*cart.voucher_codes, normalised]
    cart.save(update_fields=["voucher_codes", "updated_at"])
    return cart


@transaction.atomic
def remove_voucher(user, company: Company, code: str) -> Cart:
    cart = Cart.objects.select_for_update().get(pk=get_or_create_cart(user, company).pk)
    normalised = normalize_code(code or "")
    if normalised not in cart.voucher_codes:
        raise DomainError.single("voucher_code", "NOT_IN_CART", gettext("That voucher is not on your cart."))
    cart.voucher_codes = [c for c in cart.voucher_codes if c != normalised]
    cart.save(update_fields=["voucher_codes", "updated_at"])
    return cart
