"""Finance lets a dealer whose invoices are overdue order on account again, until a date."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from audit.services import Tracker
from mall.errors import DomainError
from partners.models import CreditAccount

MAX_RELEASE_DAYS = 90


@transaction.atomic
def release_overdue_hold(company, *, until: date, by, note: str = "") -> CreditAccount:
    """Orders on account are allowed again until `until` (inclusive) despite overdue invoices;
    who and when are kept on the account. A manual finance hold (`on_hold`) is not touched."""
    today = timezone.localdate()
    if until < today or (until - today).days > MAX_RELEASE_DAYS:
        raise DomainError.single(
            "until", "INVALID", gettext("Release the hold until a date from today to %(limit)s days ahead.") % {"limit": MAX_RELEASE_DAYS}
        )
    account = CreditAccount.objects.select_for_update().filter(company_id=company.pk).first()
    if account is None:
        raise DomainError.single(None, "NO_CREDIT_ACCOUNT", gettext("This dealer has no credit account."))
    tracked = Tracker(CreditAccount, account.pk, include=["hold_released_until", "hold_released_by", "hold_release_note"])
    account.hold_released_until = until
    account.hold_released_at = timezone.now()
    account.hold_released_by = by
    account.hold_release_note = (note or "").strip()[:255]
    account.save(update_fields=["hold_released_until", "hold_released_at", "hold_released_by", "hold_release_note", "updated_at"])
    tracked.record(note="overdue hold released")
    return account
