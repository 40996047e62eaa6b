"""Back office: the pricing preview — "what does a Gold dealer in Germany pay for this cart today?"

/admin/pricing_engine/preview/ (staff with `pricing_engine.view_pricelist`). A merchandiser
names a dealer company, or a tier and region (a hypothetical dealer: no company, no contract,
no dealer-specific voucher uses), a moment, voucher codes and cart lines pasted as
"SKU quantity"; the cart is priced through the same loaders and the same core as the
storefront, and every line's waterfall, adjustments and order-discount shares are shown.
"Download as scenario JSON" gives the pricing scenario of docs/pricing.md §7 for
`manage.py price_cart`.

Queries do not grow with the cart: one for the dealer, 6 for promotions (6 more for vouchers
when codes are typed), one for the SKUs (cart SKUs and gift SKUs together), 3 for prices.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from catalog.models import Variant
from partners.models import Company, Region, Tier
from pricing_engine.core import (
    DealerContext,
    GiftWithPurchase,
    LineRequest,
    PricedCart,
    PricingRequest,
    price_cart,
)
from pricing_engine.core.codec import request_to_dict
from pricing_engine.loaders import catalog_item, dealer_context, load_price_sources
from pricing_engine.models import PriceList
from pricing_engine.preview_form import LineMessage, PreviewForm
from pricing_engine.promotion_loaders import load_promotions, load_vouchers

logger = logging.getLogger(__name__)

PERMISSION = "pricing_engine.view_pricelist"
# ---------------------------------------------------------------- loading and pricing


@dataclass
class Preview:
    dealer_label: str
    request: PricingRequest | None = None
    priced: PricedCart | None = None
    messages: list[LineMessage] = field(default_factory=list)
    problem: str = ""
    names: dict[str, str] = field(default_factory=dict)  # SKU -> product name
    line_numbers: dict[str, list[int]] = field(default_factory=dict)


def hypothetical_dealer(tier: Tier, region: Region | None, currency: str) -> Company:
    """An unsaved company (pk None): the loaders then find its tier's lists and no contract
    (a contract always names a company), promotions by tier and region only, and no voucher
    uses of its own. It is never saved."""
    return Company(code="", name="", tier=tier, region=region, currency=currency)


def build_preview(data: dict) -> Preview:
    company: Company | None = data["company"]
    if company is not None:
        label = str(company)
        dealer, context = company, dealer_context(company)
    else:
        tier, region = data["tier"], data.get("region")
        label = f"a hypothetical {tier.name} dealer" + (
            f" in {region.name}" if region else " with no region"
        )
        dealer = hypothetical_dealer(
            tier, region, data.get("currency") or settings.DEFAULT_CURRENCY
        )
        context = DealerContext(
            company_id="", tier=tier.code, region=region.code if region else None
        )
    moment = data.get("moment") or timezone.now()
    currency = dealer.currency or settings.DEFAULT_CURRENCY
    pasted, messages = data["lines"]
    preview = Preview(dealer_label=label, messages=list(messages))
    if not pasted:
        preview.problem = "There are no cart lines to price."
        return preview
    try:
        promotions = load_promotions(dealer, moment)
        vouchers = (
            load_vouchers(dealer, data["voucher_codes"], moment) if data["voucher_codes"] else ()
        )
        gift_skus = {p.reward.sku for p in promotions if isinstance(p.reward, GiftWithPurchase)}
        typed = {line.sku for line in pasted}
        wanted = typed | {sku.upper() for sku in typed} | gift_skus
        variants = {
            v.sku: v for v in Variant.objects.filter(sku__in=wanted).select_related("product")
        }
        requests, items = [], {}
        for line in pasted:
            sku = (
                line.sku
                if line.sku in variants
                else line.sku.upper()
                if line.sku.upper() in variants
                else line.sku
            )
            variant = variants.get(sku)
            if variant is not None and not variant.is_active:
                preview.messages.append(
                    LineMessage(
                        line.number,
                        f"{line.sku} {line.quantity}",
                        f"{sku} is not active: dealers cannot order it",
                    )
                )
                continue
            requests.append(LineRequest(sku=sku, quantity=line.quantity))
            preview.line_numbers.setdefault(sku, []).append(line.number)
        used = {r.sku for r in requests} | gift_skus
        for sku in sorted(used & set(variants)):
            variant = variants[sku]
            try:
                items[sku] = catalog_item(variant)
            except (ValueError, TypeError) as error:  # a SKU whose data does not build
                preview.messages.append(LineMessage(None, sku, f"{sku} cannot be priced: {error}"))
                requests = [r for r in requests if r.sku != sku]
            preview.names[sku] = variant.display_name
        sources = load_price_sources(dealer, [variants[s] for s in sorted(items)], moment)
        preview.request = PricingRequest(
            dealer=context,
            lines=tuple(requests),
            items=items,
            sources=sources,
            currency=currency,
            moment=moment,
            promotions=promotions,
            vouchers=vouchers,
            voucher_codes=data["voucher_codes"],
        )
        preview.priced = price_cart(preview.request, max_line_quantity=settings.MAX_LINE_QUANTITY)
    except (ValueError, TypeError, ArithmeticError) as error:  # data in the database the core refuses
        logger.warning("pricing preview failed for %s: %s", label, error)
        preview.problem = f"This cart cannot be priced: {error}"
        preview.priced = None
    return preview


def _download(preview: Preview) -> HttpResponse:
    scenario = request_to_dict(preview.request)
    who = re.sub(
        r"[^A-Za-z0-9_-]+",
        "-",
        preview.request.dealer.company_id or preview.request.dealer.tier or "dealer",
    )
    name = f"pricing-scenario-{who}-{timezone.localtime(preview.request.moment):%Y%m%d-%H%M}.json"
    response = HttpResponse(
        json.dumps(scenario, indent=2, ensure_ascii=False) + "\n", content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---------------------------------------------------------------- the view and its URL


def _line_rows(preview: Preview) -> list[dict]:
    priced = preview.priced
    return [
        {
            "line": line,
            "name": preview.names.get(line.sku, ""),
            "numbers": preview.line_numbers.get(line.sku, []),
            "steps": line.waterfall[1:],
        }
        for line in priced.lines
    ]


def preview_view(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    preview = None
    if request.method == "POST":
        form = PreviewForm(request.POST)
        if form.is_valid():
            preview = build_preview(form.cleaned_data)
            if "download" in request.POST and preview.request is not None:
                return _download(preview)
    else:
        moment = timezone.localtime().replace(microsecond=0)
        form = PreviewForm(initial={"moment": moment, "lines": request.GET.get("lines", "")})
    context = {
        **admin.site.each_context(request),
        "title": "Pricing preview",
        "subtitle": "What does this dealer pay for this cart?",
        "form": form,
        "media": form.media,
        "preview": preview,
        "priced": preview.priced if preview else None,
        "rows": _line_rows(preview) if preview and preview.priced else [],
        "line_errors": _line_errors(preview) if preview and preview.priced else [],
        "time_zone": settings.TIME_ZONE,
        "opts": PriceList._meta,
    }
    return TemplateResponse(request, "admin/pricing_engine/preview.html", context)


def _line_errors(preview: Preview) -> list[dict]:
    return [
        {"error": error, "numbers": preview.line_numbers.get(error.sku, [])}
        for error in preview.priced.errors
    ]


def _urls_with_preview(get_urls):
    def get_urls_with_preview():
        view = admin.site.admin_view(preview_view)
        return [path("pricing_engine/preview/", view, name="pricing_engine_preview"), *get_urls()]

    return get_urls_with_preview


if not getattr(admin.site.get_urls, "with_pricing_preview", False):
    admin.site.get_urls = _urls_with_preview(admin.site.get_urls)
    admin.site.get_urls.with_pricing_preview = True
