"""Every write to deals: register, submit (with the duplicate check), review, close, extend,
transfer, expire, remind, attribute orders. Each runs in one transaction on a locked deal row
and logs what it did in DealTransition."""

from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from deals import selectors
from deals.models import Deal, DealMatch, DealOrder, DealTransition
from deals.states import DEALER, EDITABLE_STATES, STAFF, SYSTEM, next_state
from mall.errors import DomainError, ErrorDetail
from partners.messaging import notify, parse_id, thread_for, vendor_group
from partners.models import Company, Notification, Region

# One key for pg_advisory_xact_lock: submits and approvals run one at a time, so two dealers
# registering the same prospect at the same moment cannot both miss each other.
DUPLICATE_CHECK_LOCK = 7_310_001
REMINDER_DAYS = 7

LIMITS = {"prospect_name": 255, "tax_number": 64, "website": 255, "contact_name": 255, "contact_email": 254,
          "phone": 64, "city": 128, "products_of_interest": 4000, "notes": 4000}


@dataclass
class DealInput:
    """What a dealer enters. Text is trimmed; `region_id` a partners Region; value >= 0."""

    prospect_name: str = ""
    tax_number: str = ""
    website: str = ""
    contact_name: str = ""
    contact_email: str = ""
    phone: str = ""
    city: str = ""
    region_id: int | None = None
    products_of_interest: str = ""
    expected_value: Decimal | str | None = None
    currency: str = ""
    expected_close_date: date | None = None
    notes: str = ""


@dataclass(frozen=True)
class SubmitResult:
    deal: Deal
    conflict: bool  # what the dealer may know; staff read the matches


def protection_days() -> int:
    return int(getattr(settings, "DEAL_PROTECTION_DAYS", 90))


def _clean(data: DealInput, company: Company) -> dict:
    values, errors = {}, []
    for f in fields(DealInput):
        value = getattr(data, f.name)
        if f.name in LIMITS:
            text = (value or "").replace("\x00", "").strip()
            if len(text) > LIMITS[f.name]:
                errors.append(ErrorDetail(f.name, "TOO_LONG", gettext("At most %(value)s characters.") % {"value": LIMITS[f.name]}))
            values[f.name] = text
    if not values["prospect_name"]:
        errors.append(ErrorDetail("prospect_name", "REQUIRED", gettext("Give the prospect's company name.")))
    if values["contact_email"] and "@" not in values["contact_email"]:
        errors.append(ErrorDetail("contact_email", "INVALID", gettext("This is not an e-mail address.")))
    currency = (data.currency or company.currency or settings.DEFAULT_CURRENCY).strip().upper()
    try:
        precision = get_currency_precision(currency) if len(currency) == 3 and currency.isalpha() else None
    except Exception:  # noqa: BLE001 - babel raises for unknown codes
        precision = None
    if precision is None:
        errors.append(ErrorDetail("currency", "INVALID", gettext("%(currency)s is not a currency code.") % {"currency": repr(currency)}))
    try:
        value = Decimal(str(data.expected_value if data.expected_value not in (None, "") else "0"))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        errors.append(ErrorDetail("expected_value", "INVALID", gettext("Give the expected value as an amount of 0 or more.")))
    elif precision is not None and value != value.quantize(Decimal(1).scaleb(-min(precision, 2))):
        errors.append(ErrorDetail("expected_value", "INVALID", gettext("%(currency)s amounts have %(precision)s decimals at most.") % {"currency": currency, "precision": min(precision, 2)}))
    region = None
    if data.region_id not in (None, ""):
        region_pk = parse_id(data.region_id)
        region = Region.objects.filter(pk=region_pk).first() if region_pk else None
        if region is None:
            errors.append(ErrorDetail("region_id", "NOT_FOUND", gettext("No such region.")))
    if errors:
        raise DomainError(*errors)
    values.update(region=region, expected_value=value, currency=currency, expected_close_date=data.expected_close_date)
    return values


def _apply_keys(deal: Deal) -> None:
    for name, value in selectors.keys_for(deal).items():
        setattr(deal, name, value)


def _log(deal: Deal, action: str, from_state: str, by, reason: str = "", at=None) -> DealTransition:
    return DealTransition.objects.create(
        deal=deal, from_state=from_state, to_state=deal.state, action=action, by=by, at=at or timezone.now(), reason=reason
    )


def _locked(deal_id, company: Company | None = None) -> Deal:
    """The deal row locked for update; with `company`, only that dealer's (else NOT_FOUND)."""
    rows = Deal.objects.select_for_update().filter(pk=parse_id(deal_id))
    if company is not None:
        rows = rows.filter(company=company)
    deal = rows.first()
    if deal is None:
        raise DomainError.single("deal_id", "NOT_FOUND", gettext("No such deal."))
    return deal


def _serialise_duplicate_checks() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DUPLICATE_CHECK_LOCK])


@transaction.atomic
def register_deal(*, company: Company, user, data: DealInput, submit: bool = False) -> SubmitResult:
    """A new draft deal of the dealer; with `submit`, submitted for review right away."""
    deal = Deal(company=company, registered_by=user, **_clean(data, company))
    _apply_keys(deal)
    deal.save()
    thread_for(deal, participants=[user])
    if submit:
        return submit_deal(deal.pk, company=company, user=user)
    return SubmitResult(deal, conflict=False)


@transaction.atomic
def update_deal(deal_id, *, company: Company, user, data: DealInput) -> Deal:
    deal = _locked(deal_id, company)
    if deal.state not in EDITABLE_STATES:
        raise DomainError.single("state", "NOT_EDITABLE", gettext("Only a draft can be changed; this deal is already submitted."))
    for name, value in _clean(data, company).items():
        setattr(deal, name, value)
    _apply_keys(deal)
    deal.save()
    return deal


def check_duplicates(deal: Deal) -> list[DealMatch]:
    """Run the duplicate check for `deal` and store its matches in place of the last ones."""
    now = timezone.now()
    DealMatch.objects.filter(deal=deal).delete()
    return DealMatch.objects.bulk_create(
        [DealMatch(deal=deal, other_id=m.other_id, reasons=m.reasons, score=Decimal(str(m.score)), checked_at=now)
         for m in selectors.find_matches(deal)]
    )


@transaction.atomic
def submit_deal(deal_id, *, company: Company, user) -> SubmitResult:
    """Draft -> submitted. Runs the duplicate check; the answer says only whether one exists."""
    _serialise_duplicate_checks()
    deal = _locked(deal_id, company)
    previous, deal.state = deal.state, next_state("submit", deal.state, DEALER)
    deal.submitted_at = timezone.now()
    deal.save(update_fields=["state", "submitted_at", "updated_at"])
    matches = check_duplicates(deal)
    _log(deal, "submit", previous, user, "possible duplicate" if matches else "")
    # The deal's specialists review it; without any, the channel managers' group does.
    reviewers = list(deal.specialists.filter(is_active=True)) or vendor_group()
    notify(reviewers, title=f"Deal to review: {deal.prospect_name}" + (" (possible duplicate)" if matches else ""),
           link=_review_link(deal))
    return SubmitResult(deal, conflict=bool(matches))


def _review_link(deal: Deal) -> str:
    return f"/admin/deals/deal/{deal.pk}/review/"


def _dealer_link(deal: Deal) -> str:
    return f"/deals/{deal.pk}/"


def _tell_dealer(deal: Deal, title: str, body: str = "") -> None:
    if deal.registered_by_id:
        notify([deal.registered_by], title=title, body=body, link=_dealer_link(deal))


@transaction.atomic
def approve_deal(deal_id, *, by, days: int | None = None, override_conflicts: bool = False) -> Deal:
    """Submitted -> approved, protected for `days` (DEAL_PROTECTION_DAYS). The duplicate check
    runs again; a match with another dealer's protected deal refuses the approval (CONFLICT)
    unless staff override it knowingly."""
    _serialise_duplicate_checks()
    deal = _locked(deal_id)
    previous, state = deal.state, next_state("approve", deal.state, STAFF)
    matches = check_duplicates(deal)
    now = timezone.now()
    protected = [m for m in selectors.staff_matches(deal)
                 if m.other.company_id != deal.company_id and m.other.state == Deal.State.APPROVED and m.other.protected_until > now]
    if protected and not override_conflicts:
        raise DomainError.single(
            "deal_id", "CONFLICT",
            gettext("Deal %(other_id)s of %(name)s protects this prospect until %(protected_until)s; reject this one, or approve with override.") % {"other_id": protected[0].other_id, "name": protected[0].other.company.name, "protected_until": format(protected[0].other.protected_until, '%d %b %Y')},
        )
    days = protection_days() if days is None else days
    if days < 1 or days > 3650:
        raise DomainError.single("days", "INVALID", gettext("Protect a deal for 1 to 3650 days."))
    deal.state, deal.protected_until, deal.reminder_sent_at = state, now + timedelta(days=days), None
    deal.save(update_fields=["state", "protected_until", "reminder_sent_at", "updated_at"])
    reason = f"protected {days} days" + (f"; overrode {len(protected)} conflict(s)" if protected else "")
    _log(deal, "approve", previous, by, reason + (f"; {len(matches)} possible duplicate(s)" if matches else ""), at=now)
    _tell_dealer(deal, f"Deal approved: {deal.prospect_name}", f"Protected until {deal.protected_until:%d %b %Y}.")
    return deal


@transaction.atomic
def reject_deal(deal_id, *, by, reason: str) -> Deal:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError.single("reason", "REQUIRED", gettext("Say why the deal is rejected; the dealer reads it."))
    deal = _locked(deal_id)
    previous, deal.state = deal.state, next_state("reject", deal.state, STAFF)
    deal.rejection_reason = reason
    deal.save(update_fields=["state", "rejection_reason", "updated_at"])
    _log(deal, "reject", previous, by, reason)
    _tell_dealer(deal, f"Deal rejected: {deal.prospect_name}", reason)
    return deal


@transaction.atomic
def close_deal(deal_id, *, outcome: str, by, company: Company | None = None, reason: str = "") -> Deal:
    """Approved -> won or lost, by the dealer (`company` given) or staff."""
    if outcome not in ("win", "lose"):
        raise DomainError.single("outcome", "INVALID", gettext("The outcome is won or lost."))
    deal = _locked(deal_id, company)
    previous, deal.state = deal.state, next_state(outcome, deal.state, DEALER if company is not None else STAFF)
    deal.save(update_fields=["state", "updated_at"])
    _log(deal, outcome, previous, by, (reason or "").strip()[:2000])
    return deal


@transaction.atomic
def extend_protection(deal_id, *, by, days: int, reason: str = "") -> Deal:
    """Staff: push the end of protection `days` further; a new reminder will go out."""
    if not 1 <= int(days) <= 3650:
        raise DomainError.single("days", "INVALID", gettext("Extend by 1 to 3650 days."))
    deal = _locked(deal_id)
    previous = deal.state
    next_state("extend", deal.state, STAFF)
    deal.protected_until = max(deal.protected_until, timezone.now()) + timedelta(days=int(days))
    deal.reminder_sent_at = None
    deal.save(update_fields=["protected_until", "reminder_sent_at", "updated_at"])
    _log(deal, "extend", previous, by, f"+{days} days to {deal.protected_until:%Y-%m-%d}" + (f": {reason}" if reason else ""))
    _tell_dealer(deal, f"Protection extended: {deal.prospect_name}", f"Protected until {deal.protected_until:%d %b %Y}.")
    return deal


@transaction.atomic
def transfer_deal(deal_id, *, by, to_company: Company, reason: str = "") -> Deal:
    """Staff: hand the deal (and its protection) to another dealer. Its thread moves with it,
    so the old dealer no longer sees it; attributed orders stay the old dealer's."""
    deal = _locked(deal_id)
    if to_company.pk == deal.company_id or not to_company.is_active:
        raise DomainError.single("to_company", "INVALID", gettext("Transfer to another, active dealer."))
    previous = deal.state
    next_state("transfer", deal.state, STAFF)
    old = deal.company
    deal.company, deal.registered_by = to_company, None
    deal.save(update_fields=["company", "registered_by", "updated_at"])
    thread = thread_for(deal)
    type(thread).objects.filter(pk=thread.pk).update(company=to_company)
    thread.participants.remove(*thread.participants.filter(membership__company=old))
    _log(deal, "transfer", previous, by, f"from {old.code} to {to_company.code}" + (f": {reason}" if reason else ""))
    return deal


def expire_due_deals(now=None) -> int:
    """Approved deals whose protection has ended become expired (idempotent: a conditional
    UPDATE per deal, so two workers never expire or log one twice)."""
    now = now or timezone.now()
    expired, to_state = 0, next_state("expire", Deal.State.APPROVED, SYSTEM)
    for pk in Deal.objects.filter(state=Deal.State.APPROVED, protected_until__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            if Deal.objects.filter(pk=pk, state=Deal.State.APPROVED, protected_until__lte=now).update(
                state=to_state, updated_at=now
            ):
                deal = Deal.objects.select_related("registered_by").get(pk=pk)
                _log(deal, "expire", Deal.State.APPROVED, None, "protection ended", at=now)
                _tell_dealer(deal, f"Deal protection ended: {deal.prospect_name}")
                expired += 1
    return expired


def send_expiry_reminders(now=None) -> int:
    """E-mail the registering user once when an approved deal's protection ends within 7 days.
    The conditional UPDATE of reminder_sent_at claims the deal; the mail goes in the same
    transaction, so a failed send is retried by the next run and a sent one never again."""
    now = now or timezone.now()
    due = Deal.objects.filter(
        state=Deal.State.APPROVED, reminder_sent_at__isnull=True,
        protected_until__gt=now, protected_until__lte=now + timedelta(days=REMINDER_DAYS),
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            if not Deal.objects.filter(pk=pk, reminder_sent_at__isnull=True, state=Deal.State.APPROVED).update(reminder_sent_at=now):
                continue
            deal = Deal.objects.select_related("registered_by").get(pk=pk)
            title = f"Deal protection ends {deal.protected_until:%d %b %Y}: {deal.prospect_name}"
            body = "Close the deal or ask your channel manager for an extension before then."
            recipients = [deal.registered_by] if deal.registered_by_id else []
            if recipients and recipients[0].email:
                send_mail(title, f"{body}\n\n{_dealer_link(deal)}", settings.DEFAULT_FROM_EMAIL, [recipients[0].email])
            Notification.objects.bulk_create(
                [Notification(user=u, title=title, body=body, link=_dealer_link(deal)) for u in recipients]
            )
            sent += 1
    return sent


def attribute_order(order, deal_id) -> DealOrder | None:
    """Count `order` towards the dealer's deal. None for no deal; a typed error (nothing is
    placed) unless the deal is the ordering dealer's own, approved and still protected."""
    if deal_id in (None, ""):
        return None
    deal = Deal.objects.filter(pk=parse_id(deal_id), company_id=order.company_id).first()
    if deal is None:
        raise DomainError.single("deal_id", "NOT_FOUND", gettext("No such deal."))
    if deal.state != Deal.State.APPROVED or deal.protected_until <= timezone.now():
        raise DomainError.single(
            "deal_id", "DEAL_NOT_PROTECTED", gettext("Orders can count only towards an approved deal that is still protected.")
        )
    return DealOrder.objects.create(deal=deal, order=order)
