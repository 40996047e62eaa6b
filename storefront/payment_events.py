"""What the ERP hears about payments: `order.paid` and `payment.refunded` (docs/webhooks/)."""

from integrations.events import API_VERSION, ORDER_PAID, PAYMENT_REFUNDED
from integrations.services import EventSpec
from storefront.models import Order, Payment, Refund


def _amount(value) -> str:
    return format(value, "f")


def _moment(value) -> str | None:
    return value.isoformat() if value else None


def _dealer(order: Order) -> dict:
    return {"id": str(order.company_id), "code": order.company.code, "name": order.company.name}


def _payment(payment: Payment) -> dict:
    return {
        "id": str(payment.pk),
        "method": payment.method,
        "amount": _amount(payment.captured_amount),
        "reference": payment.reference,
        "stripe_payment_intent": payment.stripe_payment_intent_id,
        "succeeded_at": _moment(payment.succeeded_at),
    }


def order_paid(order: Order, payments: list[Payment], sequence: int) -> EventSpec:
    data = {
        "api_version": API_VERSION,
        "sequence": sequence,
        "order": {
            "number": order.number,
            "dealer": _dealer(order),
            "currency": order.currency,
            "total": _amount(order.total),
            "payment_method": order.payment_method,
            "payment_status": order.payment_status,
            "payments": [_payment(p) for p in payments],
        },
    }
    return EventSpec(event_type=ORDER_PAID, aggregate_type="order", aggregate_id=order.number, sequence=sequence, data=data)


def payment_refunded(order: Order, refund: Refund, payment: Payment, refunded_total, sequence: int) -> EventSpec:
    data = {
        "api_version": API_VERSION,
        "sequence": sequence,
        "order": {
            "number": order.number,
            "dealer": _dealer(order),
            "currency": order.currency,
            "total": _amount(order.total),
            "payment_status": order.payment_status,
            "refunded_total": _amount(refunded_total),
        },
        "refund": {
            "id": str(refund.pk),
            "amount": _amount(refund.amount),
            "reason": refund.reason,
            "stripe_refund": refund.stripe_refund_id,
            "refunded_at": _moment(refund.succeeded_at),
            "payment": _payment(payment),
        },
    }
    return EventSpec(
        event_type=PAYMENT_REFUNDED, aggregate_type="order", aggregate_id=order.number, sequence=sequence, data=data
    )
