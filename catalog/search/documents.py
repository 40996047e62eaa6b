"""The search documents PostgreSQL searches (catalog.SearchDocument), kept by the services
that write products: `refresh_documents(ids)` rewrites the given SKUs' documents in one
statement; `refresh_stock_and_prices(ids)` only their stock flag, list price and visibility
(the stock and price services); `refresh_units_sold()` recounts the best-selling figures (a
Celery beat task). Rewriting documents also keeps the typo dictionary (spelling.py) in step.

The weighted vector: SKU A (whole, and split at punctuation so "ABC/123" also has "abc" and
"123"), variant and product name B, category name C, description D. Names, category and
description use the `english` configuration (stemming), SKUs `simple` (kept as typed).
"""

from collections.abc import Iterable

from django.db import connection, transaction

from catalog.models import Variant

from . import spelling

# The description is cut before it reaches to_tsvector (its limit is 1 MB of positions).
MAX_DESCRIPTION_CHARS = 20_000

# What filters, facets and sorts read, copied onto the document (see catalog.models.SearchDocument).
_COLUMNS = "product_id, category_id, is_visible, list_price, currency, in_stock, product_name, product_created_at"
_VALUES = """v.product_id, p.category_id, v.is_active AND p.is_active, v.list_price, v.currency,
       COALESCE((SELECT SUM(s.quantity_on_hand - s.quantity_allocated) FROM catalog_stock s
                 WHERE s.variant_id = v.id), 0) > 0,
       p.name, p.created_at"""
_UPDATE = """product_id = EXCLUDED.product_id, category_id = EXCLUDED.category_id, is_visible = EXCLUDED.is_visible,
    list_price = EXCLUDED.list_price, currency = EXCLUDED.currency, in_stock = EXCLUDED.in_stock,
    product_name = EXCLUDED.product_name, product_created_at = EXCLUDED.product_created_at"""

_POSTGRES_UPSERT = f"""
INSERT INTO catalog_searchdocument (variant_id, sku, text, vector, units_sold, updated_at, {_COLUMNS})
SELECT v.id, v.sku,
       concat_ws(' ', v.sku, NULLIF(v.name, ''), p.name),
       setweight(to_tsvector('simple', v.sku), 'A')
       || setweight(to_tsvector('simple', regexp_replace(v.sku, '[^[:alnum:]]+', ' ', 'g')), 'A')
       || setweight(to_tsvector('english', concat_ws(' ', NULLIF(v.name, ''), p.name)), 'B')
       || setweight(to_tsvector('english', coalesce(c.name, '')), 'C')
       || setweight(to_tsvector('english', left(p.description, {MAX_DESCRIPTION_CHARS})), 'D'),
       0, now(), {_VALUES}
FROM catalog_variant v
JOIN catalog_product p ON p.id = v.product_id
LEFT JOIN catalog_category c ON c.id = p.category_id
{{where}}
ORDER BY v.id
ON CONFLICT (variant_id) DO UPDATE
SET sku = EXCLUDED.sku, text = EXCLUDED.text, vector = EXCLUDED.vector, updated_at = EXCLUDED.updated_at,
    {_UPDATE}
"""

# The demo on SQLite matches plainly and needs no vector; the rows still carry units sold.
_SQLITE_UPSERT = f"""
INSERT INTO catalog_searchdocument (variant_id, sku, text, vector, units_sold, updated_at, {_COLUMNS})
SELECT v.id, v.sku, v.sku || ' ' || COALESCE(v.name, '') || ' ' || p.name,
       NULL, 0, CURRENT_TIMESTAMP, {_VALUES}
FROM catalog_variant v
JOIN catalog_product p ON p.id = v.product_id
LEFT JOIN catalog_category c ON c.id = p.category_id
{{where}}
ORDER BY v.id
ON CONFLICT (variant_id) DO UPDATE
SET sku = excluded.sku, text = excluded.text, updated_at = excluded.updated_at,
    {_UPDATE.replace("EXCLUDED", "excluded")}
"""

# Stock and list prices move far more often than names: only those columns, and only the
# rows whose value changed (a checkout that leaves a SKU in stock writes nothing here).
# The rows to change are locked in variant order, as the upserts write them (ORDER BY v.id),
# so a stock change and a back-office save of the same product cannot deadlock on them.
_STOCK_AND_PRICES = """
WITH x AS (
    SELECT v.id, v.list_price, v.currency, v.is_active AND p.is_active AS is_visible,
           COALESCE((SELECT SUM(s.quantity_on_hand - s.quantity_allocated) FROM catalog_stock s
                     WHERE s.variant_id = v.id), 0) > 0 AS in_stock
    FROM catalog_variant v JOIN catalog_product p ON p.id = v.product_id
    WHERE v.id = ANY(%s)
), changed AS (
    SELECT d.variant_id FROM catalog_searchdocument d JOIN x ON x.id = d.variant_id
    WHERE (d.in_stock, d.list_price, d.currency, d.is_visible) IS DISTINCT FROM (x.in_stock, x.list_price, x.currency, x.is_visible)
    ORDER BY d.variant_id
    FOR UPDATE OF d
)
UPDATE catalog_searchdocument AS d
SET in_stock = x.in_stock, list_price = x.list_price, currency = x.currency, is_visible = x.is_visible
FROM x
WHERE d.variant_id = x.id AND d.variant_id IN (SELECT variant_id FROM changed)
"""

_UNITS_SOLD = """
UPDATE catalog_searchdocument AS d SET units_sold = s.units
FROM (
    SELECT d2.variant_id, COALESCE(SUM(CASE WHEN o.status <> 'cancelled' THEN l.quantity ELSE 0 END), 0) AS units
    FROM catalog_searchdocument d2
    LEFT JOIN storefront_orderline l ON l.sku = d2.sku
    LEFT JOIN storefront_order o ON o.id = l.order_id
    GROUP BY d2.variant_id
) AS s
WHERE d.variant_id = s.variant_id AND d.units_sold <> s.units
"""


def refresh_documents(variant_ids: Iterable[int] | None = None) -> None:
    """Rewrite the search documents of these variants (all when None), in the caller's
    transaction: call it in the same transaction that changed products, variants or
    categories, so a search never sees a name the catalog no longer has."""
    ids = None if variant_ids is None else sorted({int(i) for i in variant_ids})
    if ids == []:
        return
    if connection.vendor != "postgresql":
        if ids is None:
            sql, params = _SQLITE_UPSERT.format(where="WHERE true"), []
        else:
            sql, params = _SQLITE_UPSERT.format(where=f"WHERE v.id IN ({', '.join(['%s'] * len(ids))})"), ids
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    # The typo dictionary (spelling.py) moves with the names: every document rewritten means
    # recounting it; some of them, moving the counts of their old and new words.
    with transaction.atomic(), connection.cursor() as cursor:
        if ids is None:
            cursor.execute(_POSTGRES_UPSERT.format(where="WHERE true"))
            spelling.rebuild()
            return
        old_skus, old_texts = spelling.lock_old_words(ids)
        cursor.execute(_POSTGRES_UPSERT.format(where="WHERE v.id = ANY(%s)"), [ids])
        spelling.move_counts(old_skus, old_texts, ids)


def refresh_stock_and_prices(variant_ids: Iterable[int]) -> None:
    """Bring the in-stock flag, list price and visibility of these SKUs' documents up to date,
    in the caller's transaction (the stock and price services call it after their writes)."""
    ids = sorted({int(i) for i in variant_ids})
    if not ids:
        return
    if connection.vendor != "postgresql":
        refresh_documents(ids)
        return
    with connection.cursor() as cursor:
        cursor.execute(_STOCK_AND_PRICES, [ids])


def refresh_documents_of_products(product_ids: Iterable[int]) -> None:
    refresh_documents(Variant.objects.filter(product_id__in=list(product_ids)).values_list("pk", flat=True))


def refresh_documents_of_category(category_id: int) -> None:
    refresh_documents(Variant.objects.filter(product__category_id=category_id).values_list("pk", flat=True))


@transaction.atomic
def refresh_units_sold() -> int:
    """Recount units sold per SKU from the order lines of orders not cancelled (matched by SKU,
    so replayed history without variant links counts too). Returns the documents changed."""
    sql = _UNITS_SOLD
    if connection.vendor != "postgresql":
        sql = sql.replace("UPDATE catalog_searchdocument AS d", "UPDATE catalog_searchdocument").replace(
            "WHERE d.variant_id = s.variant_id AND d.units_sold <> s.units",
            "WHERE catalog_searchdocument.variant_id = s.variant_id AND catalog_searchdocument.units_sold <> s.units",
        )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount
