"""Back office for merchandisers: tier price lists, dealer contracts, explicit prices and
volume breaks. How these become a dealer's price is written up in docs/pricing.md."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from audit.admin_mixins import AuditedAdmin
from catalog.models import Variant
from pricing_engine.models import PriceBreak, PriceList, PriceListItem

LIST_PER_PAGE = 50
# Past this many explicit prices or breaks, a list's page shows none inline (it would be too
# long to edit); they are kept under "Price list items" and "Price breaks", filtered by list.
INLINE_LIMIT = 300


class PriceListForm(forms.ModelForm):
    class Meta:
        model = PriceList
        fields = [
            "name",
            "kind",
            "tier",
            "company",
            "currency",
            "default_discount_percent",
            "valid_from",
            "valid_until",
            "priority",
            "is_active",
        ]
        help_texts = {
            "kind": "A tier price list applies to every dealer of one tier. A dealer contract applies "
            "to one dealer only and beats its tier's prices.",
            "tier": "Tier price lists only: the tier whose dealers get these prices.",
            "company": "Dealer contracts only: the dealer these prices are agreed with.",
            "currency": "Prices in this list are in this currency (ISO code, e.g. GBP).",
            "valid_from": "Empty: valid now. Otherwise the list applies from this moment.",
            "valid_until": "Empty: no end. Otherwise the list stops applying at this moment.",
            "priority": "When several lists of the same kind apply to a dealer, the lowest number wins.",
            "is_active": "Untick to stop using this list without deleting it.",
        }

    def clean(self):
        cleaned = super().clean()
        kind, tier, company = cleaned.get("kind"), cleaned.get("tier"), cleaned.get("company")
        if kind == PriceList.Kind.TIER:
            if tier is None:
                self.add_error("tier", "Choose the tier this price list is for.")
            if company is not None:
                self.add_error("company", "A tier price list is not for one dealer: leave this empty.")
        elif kind == PriceList.Kind.CONTRACT:
            if company is None:
                self.add_error("company", "Choose the dealer this contract is with.")
            if tier is not None:
                self.add_error("tier", "A dealer contract is not for a tier: leave this empty.")
        percent = cleaned.get("default_discount_percent")
        if percent is not None and not (0 <= percent <= 100):
            self.add_error("default_discount_percent", "Enter a percentage between 0 and 100.")
        return cleaned


class VariantRawIdWidget(ForeignKeyRawIdWidget):
    """The SKU box of an inline row, labelled from the row's own (already loaded) variant.

    Django's widget looks every shown SKU up again: one query per row of a price list.
    """

    known: Variant | None = None

    def label_and_url_for_value(self, value):
        known = self.known
        if known is not None and str(known.pk) == str(value):
            url = reverse("admin:catalog_variant_change", args=[known.pk])
            return Truncator(known).words(14), url
        return super().label_and_url_for_value(value)


class VariantRowForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["variant"].widget
        if isinstance(widget, VariantRawIdWidget) and self.instance.variant_id:
            widget.known = self.instance.variant


class VariantRowsInline(admin.TabularInline):
    """Rows of a price list, one SKU each: a raw id box with a searchable lookup, no select."""

    form = VariantRowForm
    raw_id_fields = ["variant"]
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "variant":
            old = field.widget
            field.widget = VariantRawIdWidget(old.rel, old.admin_site, attrs=old.attrs, using=old.db)
        return field

    def get_queryset(self, request):
        # the row titles name the SKU and the list
        return super().get_queryset(request).select_related("variant__product", "price_list")


class PriceListItemInline(VariantRowsInline):
    model = PriceListItem
    fields = ["variant", "list_price", "unit_price"]
    readonly_fields = ["list_price"]
    verbose_name = "explicit price"
    verbose_name_plural = "explicit prices (a fixed unit price for one SKU in this list)"

    @admin.display(description="list price")
    def list_price(self, obj):
        return obj.variant.list_price if obj.variant_id else "-"


class PriceBreakInline(VariantRowsInline):
    model = PriceBreak
    fields = ["variant", "min_quantity", "unit_price"]
    verbose_name = "volume break"
    verbose_name_plural = "volume breaks (from this many units on, this unit price)"


@admin.register(PriceList)
class PriceListAdmin(AuditedAdmin, admin.ModelAdmin):
    form = PriceListForm
    list_display = [
        "name",
        "kind",
        "target",
        "currency",
        "default_discount_percent",
        "item_count",
        "break_count",
        "valid_from",
        "valid_until",
        "priority",
        "is_active",
    ]
    list_filter = ["kind", "tier", "is_active", "currency"]
    list_select_related = ["tier", "company"]
    search_fields = ["name", "company__code", "company__name"]
    autocomplete_fields = ["company", "tier"]
    fieldsets = [
        (None, {"fields": ["name", "kind", ("tier", "company"), "currency", "is_active"]}),
        ("Prices", {"fields": ["default_discount_percent", "priority", "price_rows"]}),
        ("Validity", {"fields": [("valid_from", "valid_until")]}),
    ]
    readonly_fields = ["price_rows"]
    list_per_page = LIST_PER_PAGE

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(item_count=Count("items", distinct=True), break_count=Count("breaks", distinct=True))
        )

    def get_inlines(self, request, obj):
        if obj is not None:
            counts = self.get_queryset(request).filter(pk=obj.pk).values("item_count", "break_count").first()
            if counts and max(counts["item_count"], counts["break_count"]) > INLINE_LIMIT:
                return []
        return [PriceListItemInline, PriceBreakInline]

    @admin.display(description="explicit prices and breaks")
    def price_rows(self, obj):
        if obj.pk is None:
            return "Save the list first, then add explicit prices and volume breaks."
        return format_html(
            "{} explicit prices, {} volume breaks (open them as a list: {} / {})",
            obj.item_count,
            obj.break_count,
            _filtered_link("admin:pricing_engine_pricelistitem_changelist", obj, "prices"),
            _filtered_link("admin:pricing_engine_pricebreak_changelist", obj, "breaks"),
        )

    @admin.display(description="for")
    def target(self, obj):
        return obj.company or obj.tier or "-"

    @admin.display(description="explicit prices", ordering="item_count")
    def item_count(self, obj):
        return _filtered_link("admin:pricing_engine_pricelistitem_changelist", obj, obj.item_count)

    @admin.display(description="breaks", ordering="break_count")
    def break_count(self, obj):
        return _filtered_link("admin:pricing_engine_pricebreak_changelist", obj, obj.break_count)


def _filtered_link(url_name: str, price_list: PriceList, count: int):
    url = f"{reverse(url_name)}?price_list__id__exact={price_list.pk}"
    return format_html('<a href="{}">{}</a>', url, count)


class VariantColumns:
    """SKU, product and list price columns for rows that point at a variant."""

    @admin.display(description="SKU", ordering="variant__sku")
    def sku(self, obj):
        return obj.variant.sku

    @admin.display(description="product")
    def product(self, obj):
        return obj.variant.display_name

    @admin.display(description="list price")
    def list_price(self, obj):
        return obj.variant.list_price


@admin.register(PriceListItem)
class PriceListItemAdmin(AuditedAdmin, VariantColumns, admin.ModelAdmin):
    list_display = ["sku", "product", "price_list", "list_price", "unit_price"]
    list_filter = ["price_list__kind", "price_list__tier"]
    list_select_related = ["variant__product", "price_list"]
    search_fields = ["variant__sku", "variant__product__name", "price_list__name", "price_list__company__code"]
    raw_id_fields = ["variant"]
    autocomplete_fields = ["price_list"]
    list_per_page = LIST_PER_PAGE


@admin.register(PriceBreak)
class PriceBreakAdmin(AuditedAdmin, VariantColumns, admin.ModelAdmin):
    list_display = ["sku", "product", "price_list", "min_quantity", "unit_price"]
    list_filter = ["price_list__kind", "price_list__tier"]
    list_select_related = ["variant__product", "price_list"]
    search_fields = ["variant__sku", "variant__product__name", "price_list__name"]
    raw_id_fields = ["variant"]
    autocomplete_fields = ["price_list"]
    list_per_page = LIST_PER_PAGE
# The pricing preview (/admin/pricing_engine/preview/) and the promotions and vouchers admin
# register themselves when imported; they live in their own files to keep this one short.
from pricing_engine import admin_preview, admin_promotions  # noqa: E402, F401, I001
