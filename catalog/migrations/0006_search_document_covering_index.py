"""A covering index for browsing a category: the facet counts and the price sort of a
category read only this index (an index-only scan), never the documents' rows, whose text
and vector make them wide. PostgreSQL only."""

from django.db import migrations

NAME = "catalog_searchdocument_category_covering"
SQL = (
    f"CREATE INDEX {NAME} ON catalog_searchdocument (category_id, list_price) "
    "INCLUDE (variant_id, currency, product_name, sku, in_stock, units_sold, product_id, product_created_at) "
    "WHERE is_visible"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_search_document_columns"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
