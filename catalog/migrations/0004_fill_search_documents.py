"""Write a search document for every SKU that exists when this release is installed (the
catalog services keep them from then on). The SQL is frozen here, as the schema was."""

from django.db import migrations

POSTGRES = """
INSERT INTO catalog_searchdocument (variant_id, sku, text, vector, units_sold, updated_at)
SELECT v.id, v.sku,
       concat_ws(' ', v.sku, NULLIF(v.name, ''), p.name),
       setweight(to_tsvector('simple', v.sku), 'A')
       || setweight(to_tsvector('simple', regexp_replace(v.sku, '[^[:alnum:]]+', ' ', 'g')), 'A')
       || setweight(to_tsvector('english', concat_ws(' ', NULLIF(v.name, ''), p.name)), 'B')
       || setweight(to_tsvector('english', coalesce(c.name, '')), 'C')
       || setweight(to_tsvector('english', left(p.description, 20000)), 'D'),
       0, now()
FROM catalog_variant v
JOIN catalog_product p ON p.id = v.product_id
LEFT JOIN catalog_category c ON c.id = p.category_id
WHERE true
ON CONFLICT (variant_id) DO NOTHING
"""

SQLITE = """
INSERT INTO catalog_searchdocument (variant_id, sku, text, vector, units_sold, updated_at)
SELECT v.id, v.sku, v.sku || ' ' || COALESCE(v.name, '') || ' ' || p.name, NULL, 0, CURRENT_TIMESTAMP
FROM catalog_variant v JOIN catalog_product p ON p.id = v.product_id
WHERE true
ON CONFLICT (variant_id) DO NOTHING
"""


def fill(apps, schema_editor):
    schema_editor.execute(POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_stock_erp_updated_at"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
