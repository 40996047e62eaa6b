from django.db import migrations, models


class Migration(migrations.Migration):
    """An index for "you bought this before" on the product page: the dealer's orders are
    read by company, and each is probed for the SKU's lines by (order, variant)."""

    dependencies = [("storefront", "0010_order_approval_claims")]

    operations = [
        migrations.AddIndex(
            model_name="orderline",
            index=models.Index(fields=["order", "variant"], name="orderline_order_variant"),
        ),
    ]
