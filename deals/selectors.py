"""Reads of deals: the duplicate check, a dealer's own deals, attributed order value."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q, Sum

from deals import matching
from deals.models import Deal, DealMatch, DealOrder
from deals.states import CLAIMING_STATES
from partners.messaging import parse_id

# What the registering dealer is told: that a conflict exists, never with whom.
CONFLICT_MESSAGE = (
    "Another registration for this prospect may already exist. Your deal is submitted; vendor staff "
    "will review the overlap before approving it."
)


@dataclass
class Match:
    other_id: int
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


def threshold() -> float:
    return float(getattr(settings, "DEAL_DUPLICATE_THRESHOLD", 90))


def keys_for(deal: Deal) -> dict[str, str]:
    """The normalised keys of what the dealer entered (stored on the deal by the services)."""
    return {
        "name_key": matching.normalise_name(deal.prospect_name),
        "tax_key": matching.normalise_tax_number(deal.tax_number),
        "domain_key": matching.normalise_domain(deal.website, deal.contact_email),
        "phone_key": matching.normalise_phone(deal.phone, str(getattr(settings, "DEAL_PHONE_COUNTRY_CODE", "44"))),
    }


def find_matches(deal: Deal) -> list[Match]:
    """Deals that claim the same prospect: submitted or approved ones (any dealer, this one's
    other deals too) with the same tax number, domain or phone, or a name scoring at least
    DEAL_DUPLICATE_THRESHOLD. Two queries whatever the number of deals."""
    others = Deal.objects.filter(state__in=CLAIMING_STATES).exclude(pk=deal.pk)
    exact = Q(pk__in=[])
    for name in ("tax_key", "domain_key", "phone_key"):
        value = getattr(deal, name)
        if value:
            exact |= Q(**{name: value})
    found: dict[int, Match] = {}
    for row in others.filter(exact).values("pk", "tax_key", "domain_key", "phone_key", "name_key"):
        match = found.setdefault(row["pk"], Match(row["pk"]))
        for name, reason in (("tax_key", "tax_number"), ("domain_key", "domain"), ("phone_key", "phone")):
            if getattr(deal, name) and row[name] == getattr(deal, name):
                match.reasons.append(reason)
        match.score = round(matching.name_score(deal.name_key, row["name_key"]), 1)
    names = dict(others.exclude(name_key="").values_list("pk", "name_key"))
    for pk, score in matching.similar_names(deal.name_key, names, threshold()).items():
        match = found.setdefault(pk, Match(pk))
        match.score = max(match.score, score)
        match.reasons.append("name")
    return sorted(found.values(), key=lambda m: (-len(m.reasons), -m.score, m.other_id))


def has_conflict(deal: Deal) -> bool:
    """What the dealer may know: whether its last check found any possible duplicate."""
    cached = getattr(deal, "match_count", None)
    if cached is not None:
        return cached > 0
    return DealMatch.objects.filter(deal=deal).exists()


def deals_of(company):
    """The dealer's own deals, newest first, with the conflict flag counted in the same query."""
    return (
        Deal.objects.filter(company=company)
        .select_related("region")
        .annotate(match_count=Count("matches", distinct=True))
        .order_by("-created_at", "-id")
    )


def deal_of(company, deal_id) -> Deal | None:
    """One deal of the dealer, or None (another dealer's deal is "not found" too)."""
    pk = parse_id(deal_id)
    if pk is None:
        return None
    return (
        deals_of(company)
        .prefetch_related(Prefetch("attributions", queryset=DealOrder.objects.select_related("order")), "transitions__by__membership")
        .filter(pk=pk)
        .first()
    )


def attributed_value(deal: Deal) -> dict[str, Decimal]:
    """Total of the orders attributed to the deal, per currency (one query)."""
    rows = DealOrder.objects.filter(deal=deal).values("order__currency").annotate(total=Sum("order__total"))
    return {row["order__currency"]: row["total"] for row in rows.order_by("order__currency")}


def attributable_deals(company, now):
    """The dealer's approved deals still protected at `now`: the ones an order may count for."""
    return Deal.objects.filter(company=company, state=Deal.State.APPROVED, protected_until__gt=now).order_by("prospect_name")


def staff_matches(deal: Deal) -> list[DealMatch]:
    """The stored matches of the last check with the other deals and their dealers (staff only)."""
    return list(DealMatch.objects.filter(deal=deal).select_related("other__company").order_by("-score", "other_id"))
