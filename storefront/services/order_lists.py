"""Saved order lists (requisition lists): what a dealer orders again and again. A list
belongs to the company, so every member sees and changes it; another company's list is
NOT_FOUND, never "forbidden" (its id tells nothing).

Writes: create (empty, from given lines, or from the cart), rename, delete, set quantities,
remove lines, add one SKU (from the product page), and put the whole list into the cart
(quick_order.add_candidates checks each line; the rest is reported).
"""

from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from catalog.models import Variant
from mall.errors import DomainError, ErrorDetail
from partners.models import Company
from storefront.models import CartLine, OrderList, OrderListLine
from storefront.services.quick_order import Candidate, Outcome, add_candidates
from storefront.services.skus import match_sku, resolve_skus

MAX_NAME_LENGTH = 120
MAX_LIST_LINES = 500
MAX_LISTS = 200  # per company
MAX_QUANTITY = 100_000


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").replace("\x00", "").split())
    if not name:
        raise DomainError.single("name", "REQUIRED", _("Give the list a name."))
    if len(name) > MAX_NAME_LENGTH:
        raise DomainError.single("name", "NAME_TOO_LONG", _("A list name can be at most %(max)d characters.") % {"max": MAX_NAME_LENGTH})
    return name


def _name_taken(name: str) -> DomainError:
    return DomainError.single("name", "NAME_TAKEN", _("Your company already has a list called “%(name)s”; choose another name.") % {"name": name})


def _check_free(company: Company, name: str, exclude: int | None = None) -> None:
    # Names differing only in case would look the same on the page: refused too.
    taken = OrderList.objects.filter(company=company, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise _name_taken(name)


def get_list(company: Company, pk, *, lock: bool = False) -> OrderList:
    """The company's list `pk`, or NOT_FOUND (also for another company's list)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    order_list = None
    if 0 < pk < 2**63:  # beyond the id column's range nothing can match (and PostgreSQL would refuse it)
        rows = OrderList.objects.filter(company=company, pk=pk)
        order_list = (rows.select_for_update() if lock else rows).first()
    if order_list is None:
        raise DomainError.single("id", "NOT_FOUND", _("There is no such order list."))
    return order_list


def _quantity(value, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1 or value > MAX_QUANTITY:
        raise DomainError.single(field, "INVALID_QUANTITY", _("Quantity must be a whole number from 1 to %(max)s.") % {"max": f"{MAX_QUANTITY:,}"})
    return value


def _variants(skus: Sequence[str], field: str, indexes: Sequence[int] | None = None) -> dict[str, Variant]:
    found = resolve_skus(skus)
    unknown = [ErrorDetail(f"{field}.{i}.sku", "UNKNOWN_SKU", _("No product with SKU “%(sku)s” is for sale.") % {"sku": s[:64]})
               for i, s in zip(indexes or range(len(skus)), skus, strict=True) if s not in found]
    if unknown:
        raise DomainError(*unknown)
    return found


@transaction.atomic
def create_list(user, company: Company, name: str, lines: Mapping[Variant, int] | None = None) -> OrderList:
    name = _clean_name(name)
    if OrderList.objects.filter(company=company).count() >= MAX_LISTS:
        raise DomainError.single("name", "TOO_MANY_LISTS", _("Your company has %(max)d lists already; delete one first.") % {"max": MAX_LISTS})
    _check_free(company, name)
    lines = dict(lines or {})
    if len(lines) > MAX_LIST_LINES:
        raise DomainError.single("lines", "TOO_MANY_LINES", _("A list holds at most %(max)d lines.") % {"max": MAX_LIST_LINES})
    try:
        with transaction.atomic():
            order_list = OrderList.objects.create(company=company, name=name, created_by=user)
    except IntegrityError:  # the same name, created a moment ago by a colleague
        raise _name_taken(name) from None
    OrderListLine.objects.bulk_create(
        OrderListLine(order_list=order_list, variant=v, quantity=min(q, MAX_QUANTITY), position=i)
        for i, (v, q) in enumerate(lines.items(), start=1)
    )
    return order_list


def create_with_lines(user, company: Company, name: str, lines: Sequence[tuple[str, int]]) -> OrderList:
    """A list from (SKU, quantity) pairs (the API); a SKU given twice is summed."""
    variants = _variants([sku for sku, _q in lines], "lines")
    wanted: dict[Variant, int] = {}
    for i, (sku, quantity) in enumerate(lines):
        variant = variants[sku]
        wanted[variant] = wanted.get(variant, 0) + _quantity(quantity, f"lines.{i}.quantity")
    return create_list(user, company, name, wanted)


def create_from_cart(user, company: Company, name: str) -> OrderList:
    """"Save as list": the buyer's cart lines, in cart order, with their quantities."""
    rows = CartLine.objects.filter(cart__user=user, cart__company=company).select_related("variant").order_by("added_at", "id")
    lines = {row.variant: row.quantity for row in rows}
    if not lines:
        raise DomainError.single("name", "EMPTY_CART", _("Your cart is empty; add products before saving it as a list."))
    return create_list(user, company, name, lines)


@transaction.atomic
def rename_list(company: Company, pk, name: str) -> OrderList:
    order_list = get_list(company, pk, lock=True)
    name = _clean_name(name)
    _check_free(company, name, exclude=order_list.pk)
    order_list.name = name
    try:
        with transaction.atomic():
            order_list.save(update_fields=["name", "updated_at"])
    except IntegrityError:
        raise _name_taken(name) from None
    return order_list


@transaction.atomic
def delete_list(company: Company, pk) -> None:
    get_list(company, pk, lock=True).delete()


def _touch(order_list: OrderList) -> None:
    order_list.save(update_fields=["updated_at"])


@transaction.atomic
def set_quantities(company: Company, pk, quantities: Sequence[tuple[str, int]]) -> OrderList:
    """Set the quantity of SKUs on the list; 0 removes the line; a SKU not yet on the list
    is added at the end. All or nothing."""
    seen: set[str] = set()
    for i, (sku, _q) in enumerate(quantities):
        if sku in seen:  # setting one quantity twice is ambiguous: refused, as the cart does
            raise DomainError.single(f"lines.{i}.sku", "DUPLICATE_SKU", _("%(sku)s appears twice; give each SKU once.") % {"sku": sku[:64]})
        seen.add(sku)
    order_list = get_list(company, pk, lock=True)
    current = {line.variant_id: line for line in order_list.lines.select_related("variant")}
    # SKUs already on the list are found there (also one no longer for sale); others in the catalog.
    # A SKU typed in another case names the list's line (storefront/services/skus.py).
    on_list = {line.variant.sku: line.variant for line in current.values()}
    variants = {sku: on_list[match] for sku, _q in quantities if (match := match_sku(sku, on_list)) is not None}
    others = [(i, sku) for i, (sku, _q) in enumerate(quantities) if sku not in variants]
    if others:
        variants.update(_variants([sku for _i, sku in others], "lines", [i for i, _sku in others]))
    named: set[int] = set()
    for i, (sku, _q) in enumerate(quantities):  # "85123A" and "85123a" are one SKU, named twice
        if variants[sku].pk in named:
            raise DomainError.single(f"lines.{i}.sku", "DUPLICATE_SKU", _("%(sku)s appears twice; give each SKU once.") % {"sku": sku[:64]})
        named.add(variants[sku].pk)
    changed, new, gone = [], [], []
    position = max((line.position for line in current.values()), default=0)
    for i, (sku, quantity) in enumerate(quantities):
        variant = variants[sku]
        if quantity == 0:
            if variant.pk in current:
                gone.append(current[variant.pk].pk)
            continue
        quantity = _quantity(quantity, f"lines.{i}.quantity")
        if variant.pk in current:
            current[variant.pk].quantity = quantity
            changed.append(current[variant.pk])
        else:
            position += 1
            line = OrderListLine(order_list=order_list, variant=variant, quantity=quantity, position=position)
            current[variant.pk] = line
            new.append(line)
    if len(current) - len(gone) > MAX_LIST_LINES:
        raise DomainError.single("lines", "TOO_MANY_LINES", _("A list holds at most %(max)d lines.") % {"max": MAX_LIST_LINES})
    OrderListLine.objects.bulk_update(changed, ["quantity"])
    OrderListLine.objects.bulk_create(new)
    OrderListLine.objects.filter(pk__in=gone).delete()
    _touch(order_list)
    return order_list


@transaction.atomic
def remove_lines(company: Company, pk, skus: Sequence[str]) -> OrderList:
    order_list = get_list(company, pk, lock=True)
    skus = [s for s in skus if s]
    if not skus:
        raise DomainError.single("skus", "REQUIRED", _("Name at least one SKU to remove."))
    on_list = dict(order_list.lines.values_list("variant__sku", "pk"))
    matched = {s: match_sku(s, on_list) for s in skus}
    missing = [s for s, match in matched.items() if match is None]
    if missing:
        raise DomainError(*(ErrorDetail("skus", "NOT_ON_LIST", _("%(sku)s is not on this list.") % {"sku": s[:64]}) for s in missing))
    OrderListLine.objects.filter(pk__in=[on_list[match] for match in matched.values()]).delete()
    _touch(order_list)
    return order_list


@transaction.atomic
def add_item(company: Company, pk, sku: str, quantity: int) -> OrderList:
    """One SKU onto a list (the product page's "Add to list"): added to the quantity already
    there, or a new line at the end."""
    order_list = get_list(company, pk, lock=True)
    quantity = _quantity(quantity, "quantity")
    variant = _variants([sku], "lines")[sku]
    line = order_list.lines.filter(variant=variant).first()
    if line is not None:
        if line.quantity + quantity > MAX_QUANTITY:
            raise DomainError.single("quantity", "INVALID_QUANTITY", _(
                "The list holds %(held)s of %(sku)s already; with %(quantity)s more it would pass %(max)s."
            ) % {"held": f"{line.quantity:,}", "sku": variant.sku, "quantity": f"{quantity:,}", "max": f"{MAX_QUANTITY:,}"})
        line.quantity += quantity
        line.save(update_fields=["quantity"])
    else:
        if order_list.lines.count() >= MAX_LIST_LINES:
            raise DomainError.single("lines", "TOO_MANY_LINES", _("A list holds at most %(max)d lines.") % {"max": MAX_LIST_LINES})
        position = order_list.lines.aggregate(last=Max("position"))["last"] or 0
        OrderListLine.objects.create(order_list=order_list, variant=variant, quantity=quantity, position=position + 1)
    _touch(order_list)
    return order_list


def add_list_to_cart(user, company: Company, pk) -> tuple[OrderList, Outcome]:
    """Every line of the list that can be ordered now goes into the cart; the rest are in
    `Outcome.failed` with the reason. The list itself is unchanged."""
    order_list = get_list(company, pk)
    lines = list(order_list.lines.select_related("variant__product").order_by("position", "id"))
    if not lines:
        raise DomainError.single("id", "EMPTY_LIST", _("This list has no lines yet."))
    candidates = [
        Candidate(index=i, number=i + 1, typed=f"{line.variant.sku} × {line.quantity}", sku=line.variant.sku,
                  quantity=line.quantity, variant=line.variant)
        for i, line in enumerate(lines)
    ]
    return order_list, add_candidates(user, company, candidates)


@transaction.atomic
def update_list(company: Company, pk, *, name: str | None = None, set_lines: Sequence[tuple[str, int]] = (),
                remove_skus: Sequence[str] = ()) -> OrderList:
    """Several changes to one list (the API's orderListUpdate), all or nothing."""
    if name is None and not set_lines and not remove_skus:
        raise DomainError.single(None, "NOTHING_TO_CHANGE", _("Give a new name, lines to set or SKUs to remove."))
    order_list = get_list(company, pk, lock=True)
    if name is not None:
        order_list = rename_list(company, order_list.pk, name)
    if set_lines:
        order_list = set_quantities(company, order_list.pk, set_lines)
    if remove_skus:
        order_list = remove_lines(company, order_list.pk, remove_skus)
    return order_list
