"""Copies on the search document of what filters, facets and sorts read (visibility,
category, list price and currency, in stock, name and age of the product), so that one
indexed query over catalog_searchdocument answers a search without joins; partial indexes
for browsing (by name, by category) on PostgreSQL. Existing documents are filled here (the
SQL is frozen here, as the schema was); the catalog services keep them from then on.
"""

from django.db import migrations, models

POSTGRES_INDEXES = [
    (
        "catalog_searchdocument_browse",
        "CREATE INDEX catalog_searchdocument_browse ON catalog_searchdocument (product_name, sku) WHERE is_visible",
    ),
    (
        "catalog_searchdocument_category",
        "CREATE INDEX catalog_searchdocument_category ON catalog_searchdocument (category_id, product_name, sku) "
        "WHERE is_visible",
    ),
    (
        "catalog_searchdocument_best_selling",
        "CREATE INDEX catalog_searchdocument_best_selling ON catalog_searchdocument (units_sold DESC, product_name, sku) "
        "WHERE is_visible",
    ),
]

FILL = """
UPDATE catalog_searchdocument SET
    product_id = (SELECT v.product_id FROM catalog_variant v WHERE v.id = catalog_searchdocument.variant_id),
    category_id = (SELECT p.category_id FROM catalog_variant v JOIN catalog_product p ON p.id = v.product_id
                   WHERE v.id = catalog_searchdocument.variant_id),
    is_visible = COALESCE((SELECT v.is_active AND p.is_active FROM catalog_variant v
                           JOIN catalog_product p ON p.id = v.product_id WHERE v.id = catalog_searchdocument.variant_id), false),
    list_price = (SELECT v.list_price FROM catalog_variant v WHERE v.id = catalog_searchdocument.variant_id),
    currency = COALESCE((SELECT v.currency FROM catalog_variant v WHERE v.id = catalog_searchdocument.variant_id), ''),
    in_stock = COALESCE((SELECT SUM(s.quantity_on_hand - s.quantity_allocated) FROM catalog_stock s
                         WHERE s.variant_id = catalog_searchdocument.variant_id), 0) > 0,
    product_name = COALESCE((SELECT p.name FROM catalog_variant v JOIN catalog_product p ON p.id = v.product_id
                             WHERE v.id = catalog_searchdocument.variant_id), ''),
    product_created_at = (SELECT p.created_at FROM catalog_variant v JOIN catalog_product p ON p.id = v.product_id
                          WHERE v.id = catalog_searchdocument.variant_id)
"""


def fill_and_index(apps, schema_editor):
    schema_editor.execute(FILL)
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, sql in POSTGRES_INDEXES:
        schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in POSTGRES_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_fill_search_documents"),
    ]

    operations = [
        migrations.AddField("searchdocument", "product_id", models.BigIntegerField(null=True)),
        migrations.AddField("searchdocument", "category_id", models.BigIntegerField(null=True)),
        migrations.AddField(
            "searchdocument", "is_visible", models.BooleanField(default=False, help_text="Active SKU of an active product.")
        ),
        migrations.AddField(
            "searchdocument", "list_price", models.DecimalField(decimal_places=2, max_digits=12, null=True)
        ),
        migrations.AddField("searchdocument", "currency", models.CharField(blank=True, max_length=3)),
        migrations.AddField(
            "searchdocument", "in_stock", models.BooleanField(default=False, help_text="Units available in some warehouse.")
        ),
        migrations.AddField("searchdocument", "product_name", models.CharField(blank=True, max_length=255)),
        migrations.AddField("searchdocument", "product_created_at", models.DateTimeField(null=True)),
        migrations.RunPython(fill_and_index, drop_indexes, elidable=False),
    ]
