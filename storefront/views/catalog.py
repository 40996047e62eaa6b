"""The catalog (public, prices for dealers only) and the product page.

The catalog page is a search page: text, facets (category, the dealer's price ranges, in
stock, on promotion) and a sort, all through catalog.search.search_products; the page shows
the hits at the dealer's prices, with the promotions the search already loaded for badges.
"""

from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from catalog.images import first_images
from catalog.models import ProductImage
from catalog.search import (
    PageRequest,
    SearchError,
    SearchFilters,
    Sort,
    parse_price,
    search_products,
)
from catalog.selectors import available_by_variant, categories, variants_by_sku
from mall.uploads import serve_stored_file
from pricing_engine.core.money import currency_exponent
from storefront.forms import CatalogFilterForm, clean_text, form_messages
from storefront.purchases import last_purchase
from storefront.services.skus import resolve_skus

from .context import dealer_company
from .prices import dealer_prices

PAGE_SIZE = 48  # the default; `per_page` may ask for another of PAGE_SIZES
PAGE_SIZES = (24, 48, 96)
MAX_PAGE_NUMBER = 100_000
VIEWS = ("grid", "list")
SESSION_VIEW = "catalog_view"

SORT_LABELS = {
    Sort.RELEVANCE: gettext_lazy("Best match"),
    Sort.PRICE_ASC: gettext_lazy("Price: low to high"),
    Sort.PRICE_DESC: gettext_lazy("Price: high to low"),
    Sort.NEWEST: gettext_lazy("Newest"),
    Sort.BEST_SELLING: gettext_lazy("Best-selling"),
}


class CatalogSearchForm(CatalogFilterForm):
    """The catalog filters plus the dealer-only ones (price range, promotions) and a sort."""

    on_promotion = forms.BooleanField(label=gettext_lazy("On promotion"), required=False)
    price_min = forms.CharField(label=gettext_lazy("Price from"), required=False, max_length=20)
    price_max = forms.CharField(label=gettext_lazy("to"), required=False, max_length=20)
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False, error_messages={"invalid_choice": gettext_lazy("Choose a sort from the list.")})

    def __init__(self, *args, dealer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = gettext("SKU, name or category")
        sorts = [s for s in Sort if dealer or s not in (Sort.PRICE_ASC, Sort.PRICE_DESC)]
        self.fields["sort"].choices = [(s.value, SORT_LABELS[s]) for s in sorts]
        for name in ("price_min", "price_max"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "size": 6})
        if not dealer:
            for name in ("price_min", "price_max", "on_promotion"):
                del self.fields[name]

    def _price(self, name: str):
        try:
            return parse_price(self.cleaned_data.get(name), name)
        except SearchError as error:
            raise forms.ValidationError(error.details[0].message) from None

    def clean_price_min(self):
        return self._price("price_min")

    def clean_price_max(self):
        return self._price("price_max")


class _Hits(Sequence):
    """One page of hits posing as the whole list to Django's Paginator (which only counts
    and slices): the search already counted every match and read just this page."""

    def __init__(self, hits: list, total: int):
        self.hits, self.total = hits, total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        return self.hits


def _page_number(raw: str | None) -> int:
    """`page` as asked: a whole number of ASCII digits, however long (held at MAX_PAGE_NUMBER,
    which the view then brings back to the last page); anything else, 0 included, page 1."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
        return 1
    digits = raw.lstrip("0")
    return MAX_PAGE_NUMBER if len(digits) > len(str(MAX_PAGE_NUMBER)) else min(int(digits), MAX_PAGE_NUMBER)


PRICE_SORT_VALUES = (Sort.PRICE_ASC.value, Sort.PRICE_DESC.value)


def _asks_for_price_sort(request, company) -> bool:
    """A visitor (or a user of no dealer) asking for a price sort (an old link of a dealer's):
    the search answers in its usual order and the page says why, as for a price bound."""
    return company is None and (request.GET.get("sort") or "").strip() in PRICE_SORT_VALUES


def _asks_for_prices(request, company) -> bool:
    """A visitor (or a user of no dealer) giving a price bound: the form has no price fields
    for them, so the bound is left out and the page says why (the API's SIGN_IN_FOR_PRICES)."""
    return company is None and any((request.GET.get(name) or "").strip() for name in ("price_min", "price_max"))


def _price_links(ranges) -> list[dict]:
    """Facet ranges as filter links: [min, max) becomes price_min=min, price_max=max less one
    minor unit (the filter's bounds are inclusive; both are on the currency's grid)."""
    links = []
    for r in ranges:
        step = Decimal(1).scaleb(-currency_exponent(r.currency))
        links.append({"range": r, "price_min": r.min, "price_max": None if r.max is None else r.max - step})
    return links


def _view_mode(request) -> str:
    """`view=grid|list` from the query, remembered in the session (written only when it changes)."""
    chosen = request.GET.get("view")
    if chosen in VIEWS:
        if request.session.get(SESSION_VIEW) != chosen:
            request.session[SESSION_VIEW] = chosen
        return chosen
    remembered = request.session.get(SESSION_VIEW)
    return remembered if remembered in VIEWS else VIEWS[0]


def _page_size(raw: str | None) -> int:
    return next((size for size in PAGE_SIZES if str(size) == (raw or "").strip()), PAGE_SIZE)


def _category_nav(category_list, chosen_slug: str | None) -> dict:
    """Top-level categories for browsing, the chosen one's branch marked, and the children of
    the chosen top-level category (from the list already loaded: no query)."""
    by_id = {c.pk: c for c in category_list}
    branch: list = []
    current = next((c for c in category_list if c.slug == chosen_slug), None) if chosen_slug else None
    while current is not None and current not in branch:
        branch.insert(0, current)
        current = by_id.get(current.parent_id)
    top = branch[0] if branch else None
    return {
        "top": [c for c in category_list if c.parent_id is None],
        "branch": branch,
        "children": [c for c in category_list if top is not None and c.parent_id == top.pk],
    }


def catalog(request):
    company = dealer_company(request)
    view_mode = _view_mode(request)
    size = _page_size(request.GET.get("per_page"))
    category_list = list(categories().select_related("parent"))
    params = request.GET
    if _asks_for_price_sort(request, company):
        params = params.copy()
        params.pop("sort")
    form = CatalogSearchForm(params or None, categories=category_list, dealer=company is not None)
    errors: list[str] = []
    result = None
    number = 1
    if form.is_bound and not form.is_valid():
        errors = form_messages(form)
    else:
        data = form.cleaned_data if form.is_bound else {}
        filters = SearchFilters(
            category=data.get("category") or None,
            in_stock=True if data.get("in_stock") else None,
            on_promotion=True if data.get("on_promotion") else None,
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
        )
        number = _page_number(request.GET.get("page"))
        query, sort = data.get("q") or "", data.get("sort") or Sort.RELEVANCE
        try:
            result = search_products(query, company=company, filters=filters, sort=sort, page=PageRequest.number(number, size))
            last = max((result.total + size - 1) // size, 1)
            if number > last:  # past the end (an old link): show the last page
                number = last
                result = search_products(query, company=company, filters=filters, sort=sort, page=PageRequest.number(number, size))
        except SearchError as error:
            errors = [d.message for d in error.details]
            result = None
    hits = result.hits if result else []
    page = Paginator(_Hits(hits, result.total if result else 0), size).get_page(number)
    prices = {}
    if company and hits:
        prices = dealer_prices(company, hits, timezone.now(), promotions=result.promotions)
    images = first_images(v.product_id for v in hits)
    cards = [{"variant": v, "price": prices.get(v.pk), "image": images.get(v.product_id)} for v in hits]
    chosen = form.cleaned_data if form.is_bound and not errors else {}
    filtered = any(chosen.get(k) for k in ("q", "category", "in_stock", "on_promotion", "price_min", "price_max"))
    return render(
        request,
        "storefront/catalog.html",
        {
            "form": form,
            "errors": errors,
            "page": page,
            "cards": cards,
            "company": company,
            "filtered": filtered,
            "facets": result.facets if result else None,
            "total_is_lower_bound": bool(result and result.total_is_lower_bound),
            "price_ranges": _price_links(result.facets.price_ranges) if result else [],
            "chosen": chosen,
            "view_mode": view_mode,
            "views": VIEWS,
            "page_sizes": PAGE_SIZES,
            "page_size": size,
            "category_nav": _category_nav(category_list, chosen.get("category")),
            "sign_in_for_prices": _asks_for_prices(request, company),
            "sign_in_for_price_sort": _asks_for_price_sort(request, company),
        },
        status=400 if errors else 200,
    )


def product(request, sku: str):
    sku = clean_text(sku)
    variant = variants_by_sku([sku], with_category=True).get(sku) if sku else None
    if variant is None:
        found = resolve_skus([sku]).get(sku) if sku else None  # /products/85123a/: the SKU's own address
        if found is not None:
            return redirect("storefront:product", sku=found.sku)
        raise Http404("No product with this SKU is for sale.")
    product = variant.product
    category = product.category  # one query; the page needs its name
    siblings = [v for v in product.variants.filter(is_active=True).order_by("sku") if v.pk != variant.pk]
    company = dealer_company(request)
    price = bought = None
    if company:
        price = dealer_prices(company, [variant], timezone.now(), with_breaks=True)[variant.pk]
        bought = last_purchase(company, variant)
    return render(
        request,
        "storefront/product.html",
        {
            "variant": variant,
            "product": product,
            "category": category,
            "siblings": siblings,
            "available": available_by_variant([variant.pk]).get(variant.pk, 0),
            "company": company,
            "price": price,
            "last_purchase": bought,
            "images": list(product.images.all()),
        },
    )


def product_image(request, pk: int, thumbnail: bool = False):
    """A product picture. Catalog pictures are public (as the catalog is), so browsers may
    keep them for a day instead of fetching them on every page."""
    image = get_object_or_404(ProductImage.objects.filter(product__is_active=True), pk=pk)
    response = serve_stored_file(request, image, allowed=True, thumbnail=thumbnail)
    response["Cache-Control"] = "public, max-age=86400"
    return response
