"""Reads of a dealer's own purchase history for the catalog pages ("you bought this before")."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Sum

from catalog.models import Variant
from partners.models import Company
from storefront.models import Order, OrderLine

# Orders the dealer really bought: not waiting for approval, not turned down, not cancelled.
BOUGHT = (
    Order.Status.CONFIRMED,
    Order.Status.PARTIALLY_FULFILLED,
    Order.Status.FULFILLED,
    Order.Status.COMPLETED,
)


@dataclass(frozen=True)
class LastPurchase:
    order_number: str | None
    placed_at: datetime
    quantity: int  # units of this SKU in that order (free gift units not counted)


def last_purchase(company: Company, variant: Variant) -> LastPurchase | None:
    """The company's latest bought order holding this SKU, with the units it took: one query
    (order lines by the variant index, joined to the company's orders)."""
    row = (
        OrderLine.objects.filter(variant=variant, is_gift=False, order__company=company, order__status__in=BOUGHT)
        .values("order_id", "order__number", "order__placed_at")
        .annotate(units=Sum("quantity"))
        .order_by("-order__placed_at", "-order_id")
        .first()
    )
    if row is None:
        return None
    return LastPurchase(row["order__number"], row["order__placed_at"], row["units"])
