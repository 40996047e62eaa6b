"""The catalog (public, prices for dealers only) and the product page."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from catalog.models import Variant
from catalog.selectors import available_by_variant, categories, search_variants, variants_by_sku
from storefront.forms import CatalogFilterForm, clean_text, form_messages

from .context import dealer_company
from .prices import dealer_prices

PAGE_SIZE = 48


def catalog(request):
    category_list = list(categories().select_related("parent"))
    form = CatalogFilterForm(request.GET or None, categories=category_list)
    errors: list[str] = []
    if form.is_bound and not form.is_valid():
        errors = form_messages(form)
        variants = Variant.objects.none()
    else:
        data = form.cleaned_data if form.is_bound else {}
        variants = search_variants(
            search=data.get("q") or None,
            category=data.get("category") or None,
            in_stock=True if data.get("in_stock") else None,
        )
    page = Paginator(variants, PAGE_SIZE).get_page(request.GET.get("page"))
    company = dealer_company(request)
    prices = dealer_prices(company, page.object_list, timezone.now()) if company else {}
    cards = [{"variant": v, "price": prices.get(v.pk)} for v in page.object_list]
    filtered = form.is_bound and not errors and any(form.cleaned_data.get(k) for k in ("q", "category", "in_stock"))
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
        },
        status=400 if errors else 200,
    )


def product(request, sku: str):
    sku = clean_text(sku)
    variant = variants_by_sku([sku], with_category=True).get(sku) if sku else None
    if variant is None:
        raise Http404("No product with this SKU is for sale.")
    product = variant.product
    category = product.category  # one query; the page needs its name
    siblings = [v for v in product.variants.filter(is_active=True).order_by("sku") if v.pk != variant.pk]
    company = dealer_company(request)
    price = None
    if company:
        price = dealer_prices(company, [variant], timezone.now(), with_breaks=True)[variant.pk]
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
        },
    )
