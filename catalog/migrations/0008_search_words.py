"""The word dictionary of typo tolerance (catalog/search/spelling.py): every distinct word of
the SKUs' names with the number of documents holding it, and a trigram index on the word.
Filled here from the documents as they are (the SQL is frozen here); `refresh_documents` keeps
it from then on. PostgreSQL only: the plain matching of SQLite has no typo tolerance."""

from django.db import migrations

CREATE = [
    "CREATE TABLE catalog_searchword (word text PRIMARY KEY, documents integer NOT NULL)",
    "CREATE INDEX catalog_searchword_trgm ON catalog_searchword USING gin (word gin_trgm_ops)",
]

FILL = """
INSERT INTO catalog_searchword (word, documents)
SELECT x.word, COUNT(*) FROM catalog_searchdocument d
CROSS JOIN LATERAL (
    SELECT DISTINCT w.word FROM regexp_split_to_table(lower(substr(d.text, length(d.sku) + 2)), '[^[:alnum:]]+') AS w(word)
    WHERE length(w.word) >= 3 AND w.word !~ '[[:digit:]]'
) AS x
GROUP BY x.word
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in CREATE:
        schema_editor.execute(sql)
    schema_editor.execute(FILL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS catalog_searchword")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_product_images"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
