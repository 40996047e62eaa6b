"""Search inside the database: the shared part of the PostgreSQL and plain backends.

Two queries whatever the page size: one groups every match (all filters applied) by category
and counts stock, promotions and price ranges per group, which gives the total and all facets
at once; one reads the page. Choosing a category drills down: the category facet then lists
that category and its sub-categories (counting the other categories too would mean pricing
every SKU outside the chosen one). A backend only says how text
matches (`match`) and how well (`relevance`).
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from catalog.models import Category, Product, Stock, Variant

from .dealer_prices import DealerPricing
from .types import (
    CategoryCount,
    Facets,
    PageRequest,
    PriceRangeCount,
    SearchFilters,
    SearchResult,
    Sort,
)


def searchable_variants() -> QuerySet[Variant]:
    """What a dealer may see: active SKUs of active products, with units available summed
    over warehouses (a correlated subquery on the stock row index, so no GROUP BY)."""
    available = (
        Stock.objects.filter(variant_id=OuterRef("pk"))
        .values("variant_id")
        .annotate(units=Sum(F("quantity_on_hand") - F("quantity_allocated")))
        .values("units")[:1]
    )
    return Variant.objects.filter(is_active=True, product__is_active=True).annotate(
        available=Coalesce(Subquery(available), Value(0))
    )


def _columns(model, alias: str) -> tuple[list[str], str]:
    names = [f.attname for f in model._meta.concrete_fields]
    return names, ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields)


def load_hits(variant_ids: list[int]) -> list[Variant]:
    """The page's SKUs in this order, read with their product, category and units available
    (one query); a SKU deactivated since its search document was written is left out.

    What `searchable_variants().select_related("product__category")` reads, as plain SQL:
    building that queryset cost more than running it (a third of a SKU search)."""
    if not variant_ids:
        return []
    variant_fields, variant_sql = _columns(Variant, "v")
    product_fields, product_sql = _columns(Product, "p")
    category_fields, category_sql = _columns(Category, "c")
    sql = (
        f"SELECT {variant_sql}, COALESCE((SELECT SUM(s.quantity_on_hand - s.quantity_allocated) FROM catalog_stock s "
        f"WHERE s.variant_id = v.id), 0), {product_sql}, {category_sql} "
        f"FROM catalog_variant v JOIN catalog_product p ON p.id = v.product_id "
        f"LEFT JOIN catalog_category c ON c.id = p.category_id "
        f"WHERE v.is_active AND p.is_active AND v.id IN ({', '.join(['%s'] * len(variant_ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(variant_ids))
        fetched = cursor.fetchall()
    rows = {}
    categories = {}  # a page holds a few categories: one instance each, read-only
    first_product = len(variant_fields) + 1
    first_category = first_product + len(product_fields)
    for row in fetched:
        variant = Variant.from_db(connection.alias, variant_fields, row[: len(variant_fields)])
        variant.available = row[len(variant_fields)]
        product = Product.from_db(connection.alias, product_fields, row[first_product:first_category])
        category_values = row[first_category:]
        if category_values[0] is None:
            product.category = None
        else:
            category = categories.get(category_values[0])
            if category is None:
                category = categories[category_values[0]] = Category.from_db(connection.alias, category_fields, category_values)
            product.category = category
        variant.product = product
        rows[variant.pk] = variant
    return [rows[pk] for pk in variant_ids if pk in rows]


def category_condition(slug: str) -> Q:
    ids = Category.objects.filter(Q(slug=slug) | Q(parent__slug=slug)).values("pk")
    return Q(product__category_id__in=ids)


@dataclass(frozen=True)
class Prepared:
    """The matching rows before the category filter, and what the facets need."""

    queryset: QuerySet
    pricing: DealerPricing | None


class DatabaseBackend:
    name = "database"

    def match(self, queryset: QuerySet, query: str, *, fuzzy: bool = False) -> QuerySet:
        raise NotImplementedError

    def relevance(self, queryset: QuerySet, query: str, *, fuzzy: bool = False) -> QuerySet:
        raise NotImplementedError

    def search(
        self,
        query: str,
        *,
        pricing: DealerPricing | None,
        filters: SearchFilters,
        sort: Sort,
        page: PageRequest,
        fuzzy: bool = False,
    ) -> SearchResult:
        queryset = searchable_variants()
        if query:
            queryset = self.match(queryset, query, fuzzy=fuzzy)
        if pricing is not None:
            queryset = queryset.annotate(**pricing.joins()).annotate(dealer_price=pricing.raw_price())
        if filters.in_stock is True:
            queryset = queryset.filter(available__gt=0)
        elif filters.in_stock is False:
            queryset = queryset.filter(available__lte=0)
        if pricing is not None and filters.on_promotion is not None:
            on_promotion = pricing.on_promotion()
            queryset = queryset.filter(on_promotion if filters.on_promotion else ~on_promotion)
        if pricing is not None and filters.uses_prices:
            queryset = queryset.filter(pricing.raw_bounds(filters.price_min, filters.price_max))
        if filters.category:
            queryset = queryset.filter(category_condition(filters.category))
        facets, total = facet_counts(queryset, pricing)
        hits = []
        if page.limit and total > page.offset:
            if query and sort is Sort.RELEVANCE:
                queryset = self.relevance(queryset, query, fuzzy=fuzzy)
            rows = queryset.select_related("product__category").order_by(*ordering(sort, bool(query)))
            hits = list(rows[page.offset : page.offset + page.limit])
        return SearchResult(
            hits=hits,
            total=total,
            facets=facets,
            backend=self.name,
            promotions=pricing.promotions if pricing else (),
        )


def ordering(sort: Sort, has_query: bool) -> list:
    by_name = ["product__name", "sku"]
    if sort is Sort.PRICE_ASC:
        return [F("dealer_price").asc(nulls_last=True), *by_name]
    if sort is Sort.PRICE_DESC:
        return [F("dealer_price").desc(nulls_last=True), *by_name]
    if sort is Sort.NEWEST:
        return ["-product__created_at", "-product_id", "sku"]
    if sort is Sort.BEST_SELLING:
        return [F("search_document__units_sold").desc(nulls_last=True), *by_name]
    if has_query:
        return ["-relevance", *by_name]
    return by_name


def facet_counts(queryset: QuerySet, pricing: DealerPricing | None) -> tuple[Facets, int]:
    """One GROUP BY over the matches: counts per category, and per category the in-stock,
    on-promotion and price-range counts, summed here."""
    columns = {
        "f_category": F("product__category_id"),
        "f_slug": F("product__category__slug"),
        "f_name": F("product__category__name"),
        "f_parent": F("product__category__parent__slug"),
        "f_available": F("available"),
    }
    if pricing is not None:
        columns["f_price"] = F("dealer_price")
        columns["f_promotion"] = ExpressionWrapper(pricing.on_promotion(), output_field=BooleanField())
    inner_sql, inner_params = queryset.order_by().values(**columns).query.sql_with_params()
    sums = ["SUM(CASE WHEN m.f_available > 0 THEN 1 ELSE 0 END)"]
    params: list = []
    ranges = pricing.ranges() if pricing is not None else []
    if pricing is not None:
        sums.append("SUM(CASE WHEN m.f_promotion THEN 1 ELSE 0 END)")
        for _, _, raw_from, raw_below in ranges:
            if raw_below is None:
                sums.append("SUM(CASE WHEN m.f_price >= %s THEN 1 ELSE 0 END)")
                params.append(raw_from)
            else:
                sums.append("SUM(CASE WHEN m.f_price >= %s AND m.f_price < %s THEN 1 ELSE 0 END)")
                params += [raw_from, raw_below]
    # Materialised first, so each row's price and stock are computed once, not once per sum.
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    sql = (
        f"WITH m AS {materialized}({inner_sql}) "
        f"SELECT m.f_category, m.f_slug, m.f_name, m.f_parent, COUNT(*), {', '.join(sums)} "
        f"FROM m GROUP BY m.f_category, m.f_slug, m.f_name, m.f_parent"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*inner_params, *params])
        groups = cursor.fetchall()
    chosen = groups
    total = sum(g[4] for g in chosen)

    def summed(index: int) -> int:
        return sum(int(g[index] or 0) for g in chosen)

    categories = sorted(
        (CategoryCount(slug=g[1], name=g[2], count=g[4]) for g in groups if g[0] is not None),
        key=lambda c: (-c.count, c.name, c.slug),
    )
    facets = Facets(
        categories=categories,
        in_stock=summed(5),
        on_promotion=summed(6) if pricing is not None else None,
        price_ranges=[
            PriceRangeCount(min=low, max=high, count=summed(7 + i), currency=pricing.currency)
            for i, (low, high, _, _) in enumerate(ranges)
        ]
        if pricing is not None
        else [],
    )
    return facets, total
