"""Payments against orders. On account for now: the ERP (or finance) reports an order paid,
which frees the dealer's credit. Card and rebate payments come with the money issue."""

from django.db import transaction

from partners.services import release_credit
from storefront.models import Order


@transaction.atomic
def record_payment(order_id: int) -> bool:
    """Mark an on-account order paid and release its credit. False if it already was paid
    or is cancelled (nothing is owed on it)."""
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None or order.payment_status == Order.PaymentStatus.PAID or order.status == Order.Status.CANCELLED:
        return False
    order.payment_status = Order.PaymentStatus.PAID
    order.save(update_fields=["payment_status"])
    if order.payment_method == Order.PaymentMethod.ON_ACCOUNT:
        release_credit(order.company_id, order.total)
    return True
