"""Template helpers of the dealer pages: money, and the header's company and cart count."""

from decimal import Decimal, InvalidOperation

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django import template
from django.conf import settings
from django.utils.translation import get_language, to_locale

from pricing_engine.core.money import quantize
from storefront.views.header import header_counts

register = template.Library()

FALLBACK_LOCALE = "en_GB"


def babel_locale() -> str:
    """The CLDR locale of the page's language: en-gb -> en_GB, zh-hans -> zh_Hans."""
    name = to_locale(get_language() or settings.LANGUAGE_CODE)
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return FALLBACK_LOCALE
    return name


@register.filter
def money(amount, currency=None):
    """`{{ amount|money:currency }}` -> "£2.30" (en-gb), "¥1,234.50" (CNY in zh-hans).

    Decimal or str in; never float arithmetic. The amount is rounded by the project's one rule
    (pricing_engine.core.money.quantize, halves up) before babel writes it in the page's
    locale, so babel's own (half-even) rounding never decides a digit."""
    if amount is None or amount == "":
        return "—"
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    code = currency or settings.DEFAULT_CURRENCY
    try:
        return format_currency(quantize(value, code), code, locale=babel_locale())
    except Exception:  # unknown currency code: still show the amount
        return f"{value:.2f} {code}"


@register.filter
def signed_money(amount, currency=None):
    """Like `money`, with an explicit sign for changes: "−£0.25", "+£0.10"."""
    if amount is None or amount == "":
        return "—"
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    text = money(abs(value), currency)
    if value < 0:
        return f"−{text}"
    if value > 0:
        return f"+{text}"
    return text


@register.simple_tag(takes_context=True)
def header_info(context):
    """What the header shows: the dealer company (with tier), the cart's line count and the
    unread inbox count (one query for both counts)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"company": None, "cart_count": 0, "inbox_unread": 0}
    return header_counts(request)
