"""Visible documents in list price order: the first candidates of a broad text sorted by price
are read along this index (checking the text on each row) instead of sorting every match.
PostgreSQL only."""

from django.db import migrations

NAME = "catalog_searchdocument_price_order"
SQL = f"CREATE INDEX {NAME} ON catalog_searchdocument (list_price, product_name, sku) WHERE is_visible"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_search_words"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
