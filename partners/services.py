"""Every write to dealer companies, users and credit."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from audit.services import Tracker
from mall.errors import DomainError
from partners.events import announce_dealers
from partners.models import Company, CreditAccount, Membership, Region, Tier

# The four tiers of the channel, best first: code, name, rank.
STANDARD_TIERS = (
    ("PLATINUM", "Platinum", 1),
    ("GOLD", "Gold", 2),
    ("SILVER", "Silver", 3),
    ("STANDARD", "Standard", 4),
)


def ensure_tiers() -> dict[str, Tier]:
    tiers = {}
    for code, name, rank in STANDARD_TIERS:
        tiers[code], _ = Tier.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})
    return tiers


def reserve_credit(company_id: int, amount: Decimal, currency: str) -> None:
    """Take `amount` of the dealer's credit for an order on account, or raise a typed error.

    One conditional UPDATE: the limit check and the increase happen in the same statement,
    so two concurrent orders cannot both use the last of the limit.
    """
    if amount <= 0:
        return
    updated = CreditAccount.objects.filter(
        company_id=company_id,
        currency=currency,
        on_hold=False,
        outstanding__lte=F("credit_limit") - amount,
    ).exclude(payment_terms=CreditAccount.Terms.PREPAID).update(outstanding=F("outstanding") + amount)
    if updated:
        return
    account = CreditAccount.objects.filter(company_id=company_id).first()
    if account is None:
        raise DomainError.single(
            "payment_method", "NO_CREDIT_ACCOUNT", gettext("Your company has no account with us yet; please contact your account manager.")
        )
    if account.on_hold:
        raise DomainError.single(
            "payment_method", "CREDIT_ON_HOLD", gettext("Orders on account are on hold for your company; please contact finance.")
        )
    if account.payment_terms == CreditAccount.Terms.PREPAID:
        raise DomainError.single(
            "payment_method", "PREPAID_TERMS", gettext("Your company pays in advance: choose bank transfer or card.")
        )
    if account.currency != currency:
        raise DomainError.single(
            "payment_method", "CURRENCY_MISMATCH", gettext("Your account is kept in %(currency)s, this order is in %(currency2)s.") % {"currency": account.currency, "currency2": currency}
        )
    raise DomainError.single(
        "payment_method",
        "CREDIT_LIMIT_EXCEEDED",
        gettext("This order of %(amount)s %(currency)s exceeds your available credit of %(available)s %(currency)s.") % {"amount": amount, "currency": currency, "available": account.available},
    )


@transaction.atomic
def release_credit(company_id: int, amount: Decimal) -> None:
    """Give credit back (an order paid or cancelled). Never takes outstanding below zero."""
    if amount <= 0:
        return
    account = CreditAccount.objects.select_for_update().get(company_id=company_id)
    account.outstanding = max(Decimal("0"), account.outstanding - amount)
    account.save(update_fields=["outstanding", "updated_at"])


# Tier by average net spend per month of history (GBP), best first; below the last: Standard.
TIER_THRESHOLDS = (("PLATINUM", Decimal("2000")), ("GOLD", Decimal("500")), ("SILVER", Decimal("150")))


def tier_for_monthly_spend(spend: Decimal) -> str:
    for code, threshold in TIER_THRESHOLDS:
        if spend >= threshold:
            return code
    return "STANDARD"


def credit_limit_for(peak_month_spend: Decimal) -> Decimal:
    """Twice the dealer's busiest month, rounded up to 500, at least 1,000.

    With net-30 terms a dealer owes about one month of orders at a time; twice its busiest
    month leaves room for a burst, and anything beyond is a conversation with finance.
    """
    limit = max(Decimal("1000"), 2 * max(peak_month_spend, Decimal("0")))
    return (limit / 500).to_integral_value(rounding="ROUND_CEILING") * 500


@dataclass(frozen=True)
class DealerSpec:
    code: str
    name: str
    country: str
    monthly_spend: Decimal
    peak_month_spend: Decimal = Decimal("0")
    currency: str = "GBP"


@transaction.atomic
def add_missing_dealers(specs: list[DealerSpec]) -> int:
    """Create dealer companies that are new, each with a region, a first buyer and credit.

    The first user has no usable password: vendor staff or the dealer admin set one.
    Existing companies are left as they are. Returns how many were created.
    """
    existing = set(Company.objects.filter(code__in=[s.code for s in specs]).values_list("code", flat=True))
    new = [s for s in specs if s.code not in existing]
    if not new:
        return 0
    regions = {}
    for country in sorted({s.country for s in new}):
        regions[country], _ = Region.objects.get_or_create(code=slugify(country) or "unknown", defaults={"name": country})
    companies = Company.objects.bulk_create(
        [Company(code=s.code, name=s.name, region=regions[s.country], currency=s.currency) for s in new]
    )
    User = get_user_model()
    users = []
    for s in new:
        email = f"buyer-{s.code}@dealers.example"
        user = User(username=email, email=email)
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users)
    Membership.objects.bulk_create(
        [Membership(user=u, company=c, role=Membership.Role.ADMIN) for u, c in zip(users, companies, strict=True)]
    )
    CreditAccount.objects.bulk_create(
        [
            CreditAccount(company=c, currency=s.currency, credit_limit=credit_limit_for(s.peak_month_spend))
            for c, s in zip(companies, new, strict=True)
        ]
    )
    return len(new)


@transaction.atomic
def assign_tiers(monthly_spend: Mapping[int, Decimal]) -> dict[str, int]:
    """Set each company's tier from its average monthly net spend; returns companies per tier."""
    tiers = ensure_tiers()
    by_tier: dict[str, list[int]] = {code: [] for code in tiers}
    for company_id, spend in monthly_spend.items():
        by_tier[tier_for_monthly_spend(spend)].append(company_id)
    moved: list[int] = []
    for code, ids in by_tier.items():
        for start in range(0, len(ids), 1000):
            batch = Company.objects.filter(pk__in=ids[start : start + 1000]).exclude(tier=tiers[code])
            moved += batch.filter(tier__isnull=False).values_list("pk", flat=True)
            batch.update(tier=tiers[code])
    # ERP: dealer.updated for each dealer moved to another tier (not for a first tier on import)
    announce_dealers(moved, ["tier"])
    return {code: len(ids) for code, ids in by_tier.items()}


# What finance decides on a credit account: the audit log keeps these (outstanding moves with orders).
CREDIT_TERMS_AUDITED = ["credit_limit", "currency", "payment_terms", "payment_terms_days", "overdue_grace_days", "on_hold",
                        "hold_released_until", "hold_released_by", "hold_release_note"]


@transaction.atomic
def update_credit_terms(
    account_id: int, *, credit_limit: Decimal, currency: str, payment_terms_days: int, on_hold: bool,
    payment_terms: str | None = None, overdue_grace_days: int | None = None, announce: bool = True,
) -> None:
    """Change what finance sets on a credit account, never `outstanding` (checkout moves it).

    One conditional UPDATE: a limit below what the dealer owes right now is refused with a
    typed error even if an order lands between the form being shown and saved.
    """
    tracked = Tracker(CreditAccount, account_id, include=CREDIT_TERMS_AUDITED, lock=True)  # before -> after, audited
    updated = CreditAccount.objects.filter(
        pk=account_id, outstanding__lte=credit_limit
    ).exclude(~Q(currency=currency), outstanding__gt=0).update(
        credit_limit=credit_limit, currency=currency, payment_terms_days=payment_terms_days, on_hold=on_hold,
        # Billing's terms: left as they are when not given.
        **{k: v for k, v in (("payment_terms", payment_terms), ("overdue_grace_days", overdue_grace_days)) if v is not None},
        updated_at=timezone.now(),
    )
    if updated:
        tracked.record()
    if updated and announce:  # ERP: the dealer's credit terms changed (update_dealer announces for the admin)
        announce_dealers([CreditAccount.objects.values_list("company_id", flat=True).get(pk=account_id)], ["credit"])
    if not updated:
        account = CreditAccount.objects.get(pk=account_id)
        if account.currency != currency and account.outstanding:
            raise DomainError.single("currency", "OUTSTANDING", gettext("The currency can only change while nothing is outstanding."))
        raise DomainError.single(
            "credit_limit", "BELOW_OUTSTANDING", gettext("This dealer owes %(outstanding)s on open orders; the limit cannot be lower.") % {"outstanding": account.outstanding}
        )


# A company field staff edit in the back office -> its name in dealer.updated's `changed`.
ERP_DEALER_FIELDS = {"name": "name", "tier": "tier", "region": "region", "is_active": "status", "currency": "currency"}
ERP_CHANGE_ORDER = ("name", "tier", "region", "status", "currency", "credit", "addresses")


@transaction.atomic
def update_dealer(company: Company, *, fields: Iterable[str] = (), also_changed: Iterable[str] = ()) -> list[str]:
    """The back office's save of a dealer: write the company `fields` staff changed and, when
    the ERP keeps any of them, one dealer.updated in the same transaction. Credit terms and
    addresses are saved by their own forms first and named in `also_changed` ("credit",
    "addresses"), so one save sends one event. Returns what the event names ([]: none sent)."""
    own = {f.name for f in Company._meta.concrete_fields} - {"id", "version", "created_at"}
    fields = [f for f in dict.fromkeys(fields) if f in own]
    if fields:
        company.save(update_fields=fields)
    names = {ERP_DEALER_FIELDS[f] for f in fields if f in ERP_DEALER_FIELDS} | set(also_changed)
    changed = [name for name in ERP_CHANGE_ORDER if name in names]
    if changed:
        announce_dealers([company.pk], changed)
    return changed
