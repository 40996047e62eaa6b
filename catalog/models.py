"""Products, their variants (the SKUs dealers order), warehouses and stock."""

from decimal import Decimal

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q

from mall.uploads import StoredFileFields


class Category(models.Model):
    name = models.CharField(max_length=128)
    slug = models.SlugField(max_length=128, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products")
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    """The orderable unit: one SKU, its list price and its quantity rules."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255, blank=True)
    list_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="GBP")
    pack_size = models.PositiveIntegerField(default=1, help_text="Units in one case.")
    min_quantity = models.PositiveIntegerField(default=1)
    max_quantity = models.PositiveIntegerField(null=True, blank=True)
    order_multiple = models.PositiveIntegerField(default=1, help_text="Quantities must be a multiple of this.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(list_price__gte=Decimal("0")), name="variant_list_price_not_negative"),
            models.CheckConstraint(condition=Q(min_quantity__gte=1), name="variant_min_quantity_positive"),
            models.CheckConstraint(condition=Q(order_multiple__gte=1), name="variant_order_multiple_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name or self.product.name}"

    @property
    def display_name(self) -> str:
        return self.name or self.product.name


class Warehouse(models.Model):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=128)
    # Lower numbers are allocated from first.
    priority = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    """Units of one SKU in one warehouse. The database keeps 0 <= allocated <= on hand."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="stocks")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stocks")
    quantity_on_hand = models.IntegerField(default=0)
    quantity_allocated = models.IntegerField(default=0)
    # Bumped on every change: the per-aggregate sequence of stock.updated events.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    # When the ERP counted the level it last sent (its own clock): an older message is stale.
    erp_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "warehouse"], name="one_stock_row_per_sku_and_warehouse"),
            models.CheckConstraint(condition=Q(quantity_allocated__gte=0), name="stock_allocated_not_negative"),
            models.CheckConstraint(
                condition=Q(quantity_allocated__lte=F("quantity_on_hand")), name="stock_allocated_within_on_hand"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant.sku}@{self.warehouse.code}: {self.quantity_available} available"

    @property
    def quantity_available(self) -> int:
        return self.quantity_on_hand - self.quantity_allocated


# --- search ---
class SearchDocument(models.Model):
    """One SKU as the PostgreSQL search sees it (catalog/search/documents.py keeps it):
    weighted tsvector (SKU A, names B, category C, description D), the SKU and names that
    trigram (typo) matching reads, and units sold for the best-selling sort. Its GIN indexes are created
    by migration on PostgreSQL only; on SQLite (the demo) `vector` stays empty."""

    variant = models.OneToOneField(Variant, primary_key=True, on_delete=models.CASCADE, related_name="search_document")
    sku = models.CharField(max_length=64)
    text = models.TextField(help_text="SKU and names: what typo-tolerant matching compares.")
    vector = SearchVectorField(null=True)
    units_sold = models.PositiveIntegerField(default=0, help_text="Units on order lines of orders not cancelled.")
    updated_at = models.DateTimeField(auto_now=True)
    # Copies of what filters, facets and sorts read, so one indexed query over this table
    # answers a search (catalog/search/documents.py keeps them with the text).
    product_id = models.BigIntegerField(null=True)
    category_id = models.BigIntegerField(null=True)
    is_visible = models.BooleanField(default=False, help_text="Active SKU of an active product.")
    list_price = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    currency = models.CharField(max_length=3, blank=True)
    in_stock = models.BooleanField(default=False, help_text="Units available in some warehouse.")
    product_name = models.CharField(max_length=255, blank=True)
    product_created_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.sku


class ProductImage(StoredFileFields):
    """A picture of a product, uploaded in the back office (JPEG or PNG, checked by content).

    Catalog pictures are not secret: any visitor who can see the catalog may load them. The
    first by `position` is the one on catalog cards."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    alt_text = models.CharField(max_length=200, blank=True, help_text="What the picture shows, for screen readers; the product name if empty.")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["product", "position"], name="product_image_order")]

    def __str__(self) -> str:
        return self.original_name or f"Image {self.pk}"
