"""Quantity rules of a cart: which lines can be priced, and what is wrong with the others.

Lines for the same SKU are merged first (quantities summed), so a dealer who types a SKU
twice gets one line. Each typed quantity must itself be a whole number of at least 1
(INVALID_QUANTITY), otherwise -6 and 12 would merge into an acceptable 6. The merged
quantity is then checked against the SKU's rules. Every problem of every SKU is reported,
not only the first, sorted by SKU so that the order of the input lines changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from . import errors as msg
from .errors import ErrorCode
from .types import CatalogItem, LineError, LineRequest

__all__ = ["DEFAULT_MAX_LINE_QUANTITY", "ValidatedLines", "validate_lines"]

DEFAULT_MAX_LINE_QUANTITY = 1_000_000


@dataclass(frozen=True)
class ValidatedLines:
    """`valid`: (item, merged quantity) pairs sorted by SKU; `errors`: the rest."""

    valid: tuple[tuple[CatalogItem, int], ...]
    errors: tuple[LineError, ...]


def _is_quantity(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _merge(lines: Iterable[LineRequest]) -> dict[str, list[object]]:
    merged: dict[str, list[object]] = {}
    for line in lines:
        merged.setdefault(str(line.sku), []).append(line.quantity)
    return merged


def _quantity_errors(
    item: CatalogItem, quantity: int, max_line_quantity: int
) -> list[tuple[ErrorCode, str]]:
    sku = item.sku
    if quantity > max_line_quantity:
        return [
            (
                ErrorCode.QUANTITY_TOO_LARGE,
                msg.quantity_too_large_message(sku, quantity, max_line_quantity),
            )
        ]
    found = []
    if quantity < item.min_quantity:
        found.append(
            (ErrorCode.BELOW_MINIMUM, msg.below_minimum_message(sku, quantity, item.min_quantity))
        )
    if item.max_quantity is not None and quantity > item.max_quantity:
        found.append(
            (ErrorCode.ABOVE_MAXIMUM, msg.above_maximum_message(sku, quantity, item.max_quantity))
        )
    if quantity % item.order_multiple:
        found.append(
            (
                ErrorCode.NOT_ORDER_MULTIPLE,
                msg.not_order_multiple_message(sku, quantity, item.order_multiple),
            )
        )
    return found


def validate_lines(
    lines: Iterable[LineRequest],
    items: Mapping[str, CatalogItem],
    currency: str,
    max_line_quantity: int = DEFAULT_MAX_LINE_QUANTITY,
) -> ValidatedLines:
    """Merge duplicate SKUs, check every rule, and split the lines into valid and errors.

    Per SKU, in this order: UNKNOWN_SKU (nothing else is checked), INVALID_QUANTITY
    (nothing else is checked), CURRENCY_MISMATCH, then QUANTITY_TOO_LARGE (above
    `max_line_quantity`; the SKU's own rules are then not checked) or any of
    BELOW_MINIMUM, ABOVE_MAXIMUM, NOT_ORDER_MULTIPLE.
    """
    if not _is_quantity(max_line_quantity):
        raise ValueError("max_line_quantity must be an int of at least 1")
    valid: list[tuple[CatalogItem, int]] = []
    found: list[LineError] = []
    for sku, quantities in sorted(_merge(lines).items()):
        item = items.get(sku)
        if item is None:
            found.append(LineError(sku, ErrorCode.UNKNOWN_SKU.value, msg.unknown_sku_message(sku)))
            continue
        bad = [q for q in quantities if not _is_quantity(q)]
        if bad:
            found.append(
                LineError(
                    sku, ErrorCode.INVALID_QUANTITY.value, msg.invalid_quantity_message(sku, bad[0])
                )
            )
            continue
        quantity = sum(quantities)  # type: ignore[arg-type]  # all ints, checked above
        problems: list[tuple[ErrorCode, str]] = []
        if item.currency != currency:
            problems.append(
                (
                    ErrorCode.CURRENCY_MISMATCH,
                    msg.currency_mismatch_message(sku, item.currency, currency),
                )
            )
        problems += _quantity_errors(item, quantity, max_line_quantity)
        if problems:
            found.extend(LineError(sku, code.value, text) for code, text in problems)
        else:
            valid.append((item, quantity))
    return ValidatedLines(tuple(valid), tuple(found))
