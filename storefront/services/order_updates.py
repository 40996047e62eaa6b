"""Staff change what the ERP needs to ship a confirmed order right: the delivery address, the
dealer's PO number, the requested delivery date or the note. Prices and lines never change
(the order's snapshot is final). The ERP hears it by `order.updated`, written in the same
transaction; a pending order (the ERP has not heard of it yet) changes without an event, its
order.confirmed will carry the new values."""

from django.db import transaction
from django.utils.translation import gettext as _

from integrations.services import record_events
from mall.errors import DomainError
from storefront.events import order_updated
from storefront.models import Order
from storefront.services.checkout_details import clean_details

KEEP = object()  # a field not given: left as it is

# Not once everything has shipped (the ERP has dispatched it) nor once it is cancelled.
CHANGEABLE = (Order.Status.PENDING_APPROVAL, Order.Status.CONFIRMED, Order.Status.PARTIALLY_FULFILLED)
DETAIL_FIELDS = ("ship_to", "po_number", "requested_delivery_date", "note")


@transaction.atomic
def update_order_details(
    order: Order, *, ship_to_address_id=KEEP, po_number=KEEP, requested_delivery_date=KEEP, note=KEEP
) -> list[str]:
    """Change the given details of `order` (checked as checkout checks them); returns the names
    of the fields that changed ([]: nothing changed, no event)."""
    order = Order.objects.select_for_update(of=("self",)).select_related("company").get(pk=order.pk)
    if order.status not in CHANGEABLE:
        raise DomainError.single(
            "order", "ORDER_NOT_CHANGEABLE",
            _("Order %(number)s is %(status)s; its delivery details can no longer change.")
            % {"number": order.number, "status": order.get_status_display().lower()},
        )
    given = {
        "ship_to_address_id": ship_to_address_id, "po_number": po_number,
        "requested_delivery_date": requested_delivery_date, "note": note,
    }
    details = clean_details(order.company, **{k: (None if v is KEEP else v) for k, v in given.items()})
    new = {}
    if ship_to_address_id is not KEEP:
        new["ship_to"] = details.ship_to.as_snapshot() if details.ship_to else None
    if po_number is not KEEP:
        new["po_number"] = details.po_number
    if requested_delivery_date is not KEEP:
        new["requested_delivery_date"] = details.requested_delivery_date
    if note is not KEEP:
        new["note"] = details.note
    changed = [name for name in DETAIL_FIELDS if name in new and getattr(order, name) != new[name]]
    if not changed:
        return []
    for name in changed:
        setattr(order, name, new[name])
    announce = order.status != Order.Status.PENDING_APPROVAL
    if announce:
        order.version += 1
    order.save(update_fields=[*changed, "version"])
    if announce:
        record_events([order_updated(order, changed)])
    return changed
