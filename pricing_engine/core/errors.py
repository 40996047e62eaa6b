"""Errors of the pricing core.

Two families live here:

* exceptions for programming or data mistakes (an unknown currency code, adding pounds to
  yen, a float where a Decimal belongs): they are raised, because no dealer can fix them;
* `ErrorCode` and the message builders for what a dealer got wrong in a cart (an unknown
  SKU, a quantity that is not a multiple of the pack): these are never raised, they are
  collected into `PricedCart.errors` as `LineError` values, all of them at once.
"""

from __future__ import annotations

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


def unknown_sku_message(sku: str) -> str:
    return f"{sku} is not in the catalog; check the product code"


def invalid_quantity_message(sku: str, quantity: object) -> str:
    return f"{sku}: the quantity must be a whole number of at least 1; {quantity!r} is not"


def below_minimum_message(sku: str, quantity: int, minimum: int) -> str:
    return f"{sku} has a minimum order of {minimum}; {quantity} is below it"


def above_maximum_message(sku: str, quantity: int, maximum: int) -> str:
    return f"{sku} can be ordered up to {maximum} per order; {quantity} is above it"


def not_order_multiple_message(sku: str, quantity: int, multiple: int) -> str:
    return f"{sku} is sold in multiples of {multiple}; {quantity} is not a multiple of {multiple}"


def currency_mismatch_message(sku: str, item_currency: str, cart_currency: str) -> str:
    return f"{sku} is priced in {item_currency} and cannot be ordered in a {cart_currency} cart"


def quantity_too_large_message(sku: str, quantity: int, limit: int) -> str:
    return f"{sku}: {quantity} is more than the {limit} units one order line can hold"


def voucher_not_found_message(code: str) -> str:
    return f"There is no voucher with the code {code}; check the code"


def voucher_expired_message(code: str, not_yet: bool, when: object) -> str:
    if not_yet:
        return f"Voucher {code} can be used from {when}"
    return f"Voucher {code} expired on {when}"


def voucher_used_up_message(code: str) -> str:
    return f"Voucher {code} has been used as often as it may be"


def voucher_not_applicable_message(code: str) -> str:
    return f"Voucher {code} does not apply to your company or to anything in this cart"


def voucher_min_spend_message(code: str, minimum: object, missing: object) -> str:
    return f"Voucher {code} needs a spend of at least {minimum}; add {missing} to use it"
