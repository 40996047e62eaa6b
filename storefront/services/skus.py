"""Finding the SKU a buyer means. SKUs are unique as stored (catalog.Variant.sku), not
case-insensitively: the Online Retail catalog holds both upper- and lower-case codes, so two
SKUs may differ only in case. Every SKU input of the storefront (cart, quick order, order
lists, the product query) finds a SKU the same way: exactly as typed first; else the one SKU
equal to it ignoring case; when two or more SKUs match ignoring case and none exactly, the
SKU is not found (it would be a guess)."""

from collections.abc import Iterable, Sequence

from django.db.models.functions import Upper

from catalog.models import Variant
from catalog.selectors import visible_variants

MAX_SKU_LENGTH = 64


def match_sku(typed: str, skus: Iterable[str]) -> str | None:
    """The SKU of `skus` that `typed` names (the rule above), or None."""
    skus = list(skus)
    if typed in skus:
        return typed
    folded = [sku for sku in skus if sku.casefold() == typed.casefold()]
    return folded[0] if len(folded) == 1 else None


def resolve_skus(typed: Sequence[str]) -> dict[str, Variant]:
    """{typed SKU: variant} for SKUs for sale. One query on the SKU index when every SKU is
    typed as stored; one more, comparing in upper case, for those that are not."""
    wanted = {s for s in typed if s and len(s) <= MAX_SKU_LENGTH}
    if not wanted:
        return {}
    rows = {v.sku: v for v in visible_variants().filter(sku__in=wanted).select_related("product")}
    rest = {s for s in wanted if s not in rows}
    if rest:
        more = visible_variants().annotate(sku_upper=Upper("sku")).filter(sku_upper__in={s.upper() for s in rest})
        rows.update({v.sku: v for v in more.select_related("product")})
    found = {}
    for sku in wanted:
        match = match_sku(sku, rows)
        if match is not None:
            found[sku] = rows[match]
    return found
