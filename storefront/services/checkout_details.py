"""What the buyer writes at checkout besides the cart: where to deliver, when, its own purchase
order number and a note. Checked here (every problem at once, as typed errors); stored on the
order as given and passed on to the ERP in order.confirmed."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from mall.errors import DomainError, ErrorDetail
from partners.messaging import parse_id
from partners.models import Address, Company

MAX_PO_NUMBER = 64  # Order.po_number's column
MAX_NOTE = 1000
# A requested date further ahead than this is a typo (2207 for 2027), not a plan.
MAX_DAYS_AHEAD = 366


@dataclass(frozen=True)
class CheckoutDetails:
    ship_to: Address | None = None
    po_number: str = ""
    requested_delivery_date: date | None = None
    note: str = ""


def _text(value) -> str:
    return str(value or "").replace("\x00", "").strip()


def _date(value) -> tuple[date | None, bool]:
    """(the date, whether it could be read)."""
    if value in (None, ""):
        return None, True
    if isinstance(value, date):
        return value, True
    try:
        parsed = parse_date(str(value).strip())
    except ValueError:
        parsed = None
    return parsed, parsed is not None


def company_addresses(company: Company) -> list[Address]:
    """The company's delivery addresses, the default one first."""
    return list(Address.objects.filter(company=company).order_by("-is_default_shipping", "name", "id"))


def clean_details(
    company: Company, *, ship_to_address_id=None, po_number=None, requested_delivery_date=None, note=None,
    today: date | None = None,
) -> CheckoutDetails:
    """The checked details, or a DomainError listing every field at fault. Without an address
    id the company's default delivery address is used (None if it has none)."""
    errors: list[ErrorDetail] = []
    po = _text(po_number)
    if len(po) > MAX_PO_NUMBER:
        errors.append(ErrorDetail("po_number", "TOO_LONG", _("A PO number can have at most %(n)d characters.") % {"n": MAX_PO_NUMBER}))
    elif any(ch in po for ch in "\r\n\t"):
        errors.append(ErrorDetail("po_number", "INVALID", _("A PO number is one line of text.")))
    text = _text(note).replace("\r\n", "\n")
    if len(text) > MAX_NOTE:
        errors.append(ErrorDetail("note", "TOO_LONG", _("A note can have at most %(n)d characters.") % {"n": MAX_NOTE}))
    wanted, readable = _date(requested_delivery_date)
    today = today or timezone.localdate()
    if not readable:
        errors.append(ErrorDetail("requested_delivery_date", "INVALID", _("Give the delivery date as YYYY-MM-DD.")))
    elif wanted is not None and wanted < today:
        errors.append(ErrorDetail("requested_delivery_date", "IN_THE_PAST", _("The requested delivery date cannot be in the past.")))
    elif wanted is not None and wanted > today + timedelta(days=MAX_DAYS_AHEAD):
        errors.append(ErrorDetail(
            "requested_delivery_date", "TOO_FAR", _("The requested delivery date can be at most a year ahead.")
        ))
    ship_to = None
    if ship_to_address_id not in (None, ""):
        pk = parse_id(ship_to_address_id)
        # Another company's address is "not found" too.
        ship_to = Address.objects.filter(company=company, pk=pk).first() if pk else None
        if ship_to is None:
            errors.append(ErrorDetail("ship_to_address_id", "NOT_FOUND", _("Choose one of your company's delivery addresses.")))
    else:
        ship_to = Address.objects.filter(company=company, is_default_shipping=True).first()
    if errors:
        raise DomainError(*errors)
    return CheckoutDetails(ship_to=ship_to, po_number=po, requested_delivery_date=wanted, note=text)
