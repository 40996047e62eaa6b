"""Reads of the catalog."""

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from catalog.models import Category, Product, Stock, Variant, Warehouse


def visible_variants() -> QuerySet[Variant]:
    return Variant.objects.filter(is_active=True, product__is_active=True)


def variants_by_sku(skus, *, with_category: bool = False) -> dict[str, Variant]:
    """Active variants for the given SKUs (exact match), with their products, in one query."""
    skus = {s for s in skus if s}
    if not skus:
        return {}
    rows = visible_variants().filter(sku__in=skus).select_related("product__category" if with_category else "product")
    return {v.sku: v for v in rows}


def variant_ids_by_sku() -> dict[str, int]:
    """Every SKU's variant id (one query; for bulk jobs that look up many SKUs)."""
    return dict(Variant.objects.values_list("sku", "id"))


def search_variants(search: str | None = None, category: str | None = None, in_stock: bool | None = None):
    """Catalog listing: one row per orderable SKU, annotated with `available` over warehouses.

    Plain matching on SKU and name here; the full-text backends come with the search issue.
    """
    qs = visible_variants().select_related("product", "product__category")
    if search:
        term = search.strip()[:200].replace("\x00", "")
        if term:
            qs = qs.filter(Q(sku__iexact=term) | Q(sku__icontains=term) | Q(product__name__icontains=term))
    if category:
        category = category.replace("\x00", "")[:128]
        qs = qs.filter(Q(product__category__slug=category) | Q(product__category__parent__slug=category))
    qs = qs.annotate(
        available=Coalesce(Sum("stocks__quantity_on_hand"), 0) - Coalesce(Sum("stocks__quantity_allocated"), 0)
    )
    if in_stock is True:
        qs = qs.filter(available__gt=0)
    elif in_stock is False:
        qs = qs.filter(available__lte=0)
    return qs.order_by("product__name", "sku")


def available_by_variant(variant_ids) -> dict[int, int]:
    rows = (
        Stock.objects.filter(variant_id__in=list(variant_ids))
        .values("variant_id")
        .annotate(on_hand=Sum("quantity_on_hand"), allocated=Sum("quantity_allocated"))
    )
    return {r["variant_id"]: r["on_hand"] - r["allocated"] for r in rows}


def categories() -> QuerySet[Category]:
    return Category.objects.all()


def default_warehouse() -> Warehouse | None:
    return Warehouse.objects.filter(code=settings.DEFAULT_WAREHOUSE_CODE).first()


def product_by_slug(slug: str) -> Product | None:
    return Product.objects.filter(slug=slug, is_active=True).select_related("category").first()
