"""The search document table; on PostgreSQL also pg_trgm and the GIN indexes search reads.

The indexes are raw SQL run only on PostgreSQL: SQLite (the demo) has no GIN and no
trigrams, and must still migrate. TrigramExtension skips non-PostgreSQL databases itself.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

POSTGRES_INDEXES = [
    (
        "catalog_searchdocument_vector_gin",
        "CREATE INDEX catalog_searchdocument_vector_gin ON catalog_searchdocument USING gin (vector)",
    ),
    (
        "catalog_searchdocument_text_trgm",
        "CREATE INDEX catalog_searchdocument_text_trgm ON catalog_searchdocument USING gin (text gin_trgm_ops)",
    ),
    (
        "catalog_searchdocument_sku_trgm",
        "CREATE INDEX catalog_searchdocument_sku_trgm ON catalog_searchdocument USING gin (upper(sku) gin_trgm_ops)",
    ),
    (
        "catalog_searchdocument_sku_prefix",
        "CREATE INDEX catalog_searchdocument_sku_prefix ON catalog_searchdocument (upper(sku) text_pattern_ops)",
    ),
]


def create_indexes(apps, schema_editor):
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
        ("catalog", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "variant",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="catalog.variant",
                    ),
                ),
                ("sku", models.CharField(max_length=64)),
                (
                    "text",
                    models.TextField(help_text="SKU and names: what typo-tolerant matching compares."),
                ),
                ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                (
                    "units_sold",
                    models.PositiveIntegerField(default=0, help_text="Units on order lines of orders not cancelled."),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
