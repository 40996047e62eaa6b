"""Errors of the pricing core.

Two families live here:

* exceptions for programming or data mistakes (an unknown currency code, adding pounds to
  yen, a float where a Decimal belongs): they are raised, because no dealer can fix them;
* `ErrorCode` and the message builders for what a dealer got wrong in a cart (an unknown
  SKU, a quantity that is not a multiple of the pack): these are never raised, they are
  collected into `PricedCart.errors` as `LineError` values, all of them at once.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum


class PricingError(Exception):
    """Base class of every exception raised by the pricing core."""


class UnknownCurrency(PricingError, ValueError):
    """A currency code that is not an ISO 4217 code known to CLDR (via babel)."""

    def __init__(self, code: object):
        self.code = code
        super().__init__(f"unknown currency code {code!r} (expected an upper-case ISO 4217 code)")


class CurrencyMismatch(PricingError, ValueError):
    """Two amounts in different currencies were combined or compared."""

    def __init__(self, left: str, right: str):
        self.left = left
        self.right = right
        super().__init__(f"cannot combine {left} with {right}")


class ErrorCode(StrEnum):
    """Codes of the per-line errors a dealer sees (GraphQL `code`)."""

    UNKNOWN_SKU = "unknown_sku"
    INVALID_QUANTITY = "invalid_quantity"
    BELOW_MINIMUM = "below_minimum"
    ABOVE_MAXIMUM = "above_maximum"
    NOT_ORDER_MULTIPLE = "not_order_multiple"
    CURRENCY_MISMATCH = "currency_mismatch"
    QUANTITY_TOO_LARGE = "quantity_too_large"
    # voucher codes (field "voucher_code"; the cart is still priced without the voucher)
    VOUCHER_NOT_FOUND = "voucher_not_found"
    VOUCHER_EXPIRED = "voucher_expired"
    VOUCHER_USED_UP = "voucher_used_up"
    VOUCHER_NOT_APPLICABLE = "voucher_not_applicable"
    VOUCHER_MIN_SPEND = "voucher_min_spend"


# Message builders: one place for the wording, so the web pages, the API and the tests agree.
# The core imports no Django, so the English text is marked with `N_` (extracted into the
# translation catalogs) and translated through the function the Django side installs with
# `use_translation` at start-up (pricing_engine/apps.py: Django's gettext, i.e. the language of
# the request being served). Without it, the messages stay English.


def N_(message: str) -> str:
    """Mark `message` for translation; the translation itself happens in `_text`."""
    return message


_translate: Callable[[str], str] = N_


def use_translation(translate: Callable[[str], str]) -> None:
    """Install the function that translates a message id (set once, at start-up)."""
    global _translate
    _translate = translate


def _text(message: str, **params: object) -> str:
    return _translate(message) % params


def unknown_sku_message(sku: str) -> str:
    return _text(N_("%(sku)s is not in the catalog; check the product code"), sku=sku)


def invalid_quantity_message(sku: str, quantity: object) -> str:
    return _text(N_("%(sku)s: the quantity must be a whole number of at least 1; %(quantity)s is not"),
                 sku=sku, quantity=repr(quantity))


def below_minimum_message(sku: str, quantity: int, minimum: int) -> str:
    return _text(N_("%(sku)s has a minimum order of %(minimum)s; %(quantity)s is below it"),
                 sku=sku, quantity=quantity, minimum=minimum)


def above_maximum_message(sku: str, quantity: int, maximum: int) -> str:
    return _text(N_("%(sku)s can be ordered up to %(maximum)s per order; %(quantity)s is above it"),
                 sku=sku, quantity=quantity, maximum=maximum)


def not_order_multiple_message(sku: str, quantity: int, multiple: int) -> str:
    return _text(
        N_("%(sku)s is sold in multiples of %(multiple)s; %(quantity)s is not a multiple of %(multiple)s"),
        sku=sku, quantity=quantity, multiple=multiple,
    )


def currency_mismatch_message(sku: str, item_currency: str, cart_currency: str) -> str:
    return _text(N_("%(sku)s is priced in %(item_currency)s and cannot be ordered in a %(cart_currency)s cart"),
                 sku=sku, item_currency=item_currency, cart_currency=cart_currency)


def quantity_too_large_message(sku: str, quantity: int, limit: int) -> str:
    return _text(N_("%(sku)s: %(quantity)s is more than the %(limit)s units one order line can hold"),
                 sku=sku, quantity=quantity, limit=limit)


def voucher_not_found_message(code: str) -> str:
    return _text(N_("There is no voucher with the code %(code)s; check the code"), code=code)


def voucher_expired_message(code: str, not_yet: bool, when: object) -> str:
    if not_yet:
        return _text(N_("Voucher %(code)s can be used from %(when)s"), code=code, when=when)
    return _text(N_("Voucher %(code)s expired on %(when)s"), code=code, when=when)


def voucher_used_up_message(code: str) -> str:
    return _text(N_("Voucher %(code)s has been used as often as it may be"), code=code)


def voucher_not_applicable_message(code: str) -> str:
    return _text(N_("Voucher %(code)s does not apply to your company or to anything in this cart"), code=code)


def voucher_min_spend_message(code: str, minimum: object, missing: object) -> str:
    return _text(N_("Voucher %(code)s needs a spend of at least %(minimum)s; add %(missing)s to use it"),
                 code=code, minimum=minimum, missing=missing)
