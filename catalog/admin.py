"""Back office for merchandisers: products and their SKUs, categories, warehouses, stock.

Stock levels are never saved directly: every change goes through
`catalog.services.set_stock_level`, which locks the row, refuses a level below what is
allocated to orders, and writes the stock.updated event the ERP receives.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count, Prefetch

from audit.admin_mixins import AuditedAdmin
from catalog.images import add_product_image
from catalog.models import (
    Category,
    Product,
    ProductImage,
    SearchDocument,
    Stock,
    Variant,
    Warehouse,
)
from catalog.search import indexing as search_index
from catalog.search.documents import refresh_documents
from catalog.services import set_stock_level
from mall.errors import DomainError
from mall.uploads import validate_upload

LIST_PER_PAGE = 50


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "product_count"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    list_per_page = LIST_PER_PAGE

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="products", ordering="product_count")
    def product_count(self, obj):
        return obj.product_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Its products' search documents carry the category's name (and a parent filter).
        search_index.catalog_changed(Variant.objects.filter(product__category=obj).values_list("pk", flat=True))


class ProductImageForm(forms.ModelForm):
    """A new picture is uploaded here and checked by its bytes (JPEG or PNG only)."""

    upload = forms.FileField(required=False, label="Picture", help_text="JPEG or PNG.")

    class Meta:
        model = ProductImage
        fields = ["upload", "alt_text", "position"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if self.instance.pk is None and upload is None and self.has_changed():
            self.add_error("upload", "Choose a picture to upload.")
        if upload is not None:
            try:
                _data, content_type = validate_upload(upload, field="upload")
            except DomainError as error:
                self.add_error("upload", error.details[0].message)
            else:
                if not content_type.startswith("image/"):
                    self.add_error("upload", "A product picture must be a JPEG or PNG image.")
                upload.seek(0)
        return cleaned


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    fields = ["upload", "alt_text", "position", "original_name", "size"]
    readonly_fields = ["original_name", "size"]
    extra = 1


class VariantInline(admin.TabularInline):
    model = Variant
    fields = [
        "sku",
        "name",
        "list_price",
        "currency",
        "pack_size",
        "min_quantity",
        "max_quantity",
        "order_multiple",
        "is_active",
    ]
    extra = 0
    show_change_link = True
    # A SKU that was ever ordered stays: untick "active" to take it off the storefront.
    can_delete = False


@admin.register(Product)
class ProductAdmin(AuditedAdmin, admin.ModelAdmin):
    audit_include = []  # the audit log keeps the SKUs' prices, not the product's text
    audit_inlines = [Variant]
    list_display = ["name", "category", "sku_list", "variant_count", "is_active", "created_at"]
    list_filter = ["is_active", "category"]
    list_select_related = ["category"]
    search_fields = ["name", "variants__sku"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["category"]
    fields = ["name", "slug", "category", "description", "is_active"]
    inlines = [VariantInline, ProductImageInline]
    list_per_page = LIST_PER_PAGE

    def get_queryset(self, request):
        # The SKUs of a whole page in one query, not one per product.
        skus = Prefetch("variants", queryset=Variant.objects.only("id", "product_id", "sku").order_by("sku"))
        return super().get_queryset(request).annotate(variant_count=Count("variants")).prefetch_related(skus)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProductImage:
            return super().save_formset(request, form, formset, change)
        # New pictures go through the upload service (stored, checked, positioned); existing
        # rows only change their text and position, or are deleted. To replace a picture,
        # delete it and upload the new one.
        formset.save(commit=False)  # sorts the rows into new, changed and deleted for the history
        for image in formset.deleted_objects:
            image.delete()
        for image, _fields in formset.changed_objects:
            image.save()
        for image_form in formset.extra_forms:
            data = getattr(image_form, "cleaned_data", None) or {}
            if data.get("upload") is not None and not data.get("DELETE"):
                add_product_image(form.instance, data["upload"], alt_text=data.get("alt_text", ""))

    @admin.display(description="SKUs")
    def sku_list(self, obj):
        skus = [v.sku for v in obj.variants.all()]
        shown = ", ".join(skus[:3])
        return shown + (f" (+{len(skus) - 3})" if len(skus) > 3 else "")

    @admin.display(description="variants", ordering="variant_count")
    def variant_count(self, obj):
        return obj.variant_count

    def has_delete_permission(self, request, obj=None):
        # Orders keep pointing at products' SKUs: deactivate a product instead of deleting it.
        return False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inline SKUs are saved: names, description, category and SKUs are searched.
        search_index.catalog_changed(form.instance.variants.values_list("pk", flat=True))


@admin.register(Variant)
class VariantAdmin(AuditedAdmin, admin.ModelAdmin):
    """Every SKU on its own: what the SKU pickers of price lists and stock search."""

    list_display = [
        "sku",
        "product",
        "name",
        "list_price",
        "currency",
        "pack_size",
        "min_quantity",
        "order_multiple",
        "is_active",
    ]
    list_filter = ["is_active", "product__category"]
    list_select_related = ["product"]
    search_fields = ["sku", "name", "product__name"]
    autocomplete_fields = ["product"]
    list_per_page = LIST_PER_PAGE

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        search_index.catalog_changed([obj.pk])


class WarehouseForm(forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = ["code", "name", "priority"]
        help_texts = {
            "code": "The ERP's warehouse code; stock events carry it.",
            "priority": "Orders take stock from the warehouse with the lowest number first.",
        }


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    form = WarehouseForm
    list_display = ["code", "name", "priority"]
    search_fields = ["code", "name"]
    list_per_page = LIST_PER_PAGE


class StockLevelForm(forms.ModelForm):
    """Sets units on hand through `set_stock_level` once the form itself is valid.

    The service is the one place that decides (it locks the row and knows what is allocated),
    so it runs as the last step of validation: its refusal becomes a form error on the field,
    and the admin's save then only reloads the row the service wrote.
    """

    class Meta:
        model = Stock
        fields = ["variant", "warehouse", "quantity_on_hand"]
        labels = {"quantity_on_hand": "On hand"}
        help_texts = {
            "quantity_on_hand": "Units physically in the warehouse after your count. It cannot be "
            "lower than the units already allocated to orders. The ERP is told of every change."
        }

    stock_row: Stock | None = None

    def is_valid(self):
        if not super().is_valid():
            return False
        if self.stock_row is None:
            instance = self.instance
            variant = self.cleaned_data.get("variant") or instance.variant
            warehouse = self.cleaned_data.get("warehouse") or instance.warehouse
            try:
                self.stock_row = set_stock_level(variant, warehouse, self.cleaned_data["quantity_on_hand"])
            except DomainError as error:
                for detail in error.details:
                    field = detail.field if detail.field in self.fields else None
                    self.add_error(field, detail.message)
                return False
        return True


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    form = StockLevelForm
    list_display = [
        "sku",
        "product_name",
        "warehouse",
        "quantity_on_hand",
        "quantity_allocated",
        "available",
        "updated_at",
    ]
    list_filter = ["warehouse"]
    list_select_related = ["variant__product", "warehouse"]
    search_fields = ["variant__sku"]
    autocomplete_fields = ["variant"]
    ordering = ["variant__sku", "warehouse__priority"]
    list_per_page = LIST_PER_PAGE

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["variant", "warehouse", "quantity_on_hand"]
        return ["variant", "warehouse", "quantity_on_hand", "quantity_allocated", "available", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["variant", "warehouse", "quantity_allocated", "available", "updated_at"]

    def save_model(self, request, obj, form, change):
        # The row was written by set_stock_level while the form was validated; never save it here.
        row = form.stock_row
        obj.pk = row.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        # A SKU that leaves a warehouse is counted down to 0, so the ERP hears of it.
        return False

    @admin.display(description="SKU", ordering="variant__sku")
    def sku(self, obj):
        return obj.variant.sku

    @admin.display(description="product", ordering="variant__product__name")
    def product_name(self, obj):
        return obj.variant.display_name

    @admin.display(description="available")
    def available(self, obj):
        return obj.quantity_available


# --- search ---
@admin.register(SearchDocument)
class SearchDocumentAdmin(admin.ModelAdmin):
    """What PostgreSQL search knows of each SKU (written by the catalog services; read-only)."""

    list_display = ["sku", "text", "units_sold", "updated_at"]
    search_fields = ["=sku", "text"]
    ordering = ["-units_sold", "sku"]
    readonly_fields = ["variant", "sku", "text", "vector", "units_sold", "updated_at"]
    actions = ["rewrite"]
    list_per_page = LIST_PER_PAGE

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Rewrite the selected search documents from the catalog", permissions=["change"])
    def rewrite(self, request, queryset):
        ids = list(queryset.values_list("variant_id", flat=True))
        refresh_documents(ids)
        self.message_user(request, f"{len(ids)} search documents rewritten.")
