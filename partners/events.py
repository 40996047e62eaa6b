"""What the ERP hears about dealers: the `dealer.updated` payload (docs/webhooks/)."""

from django.db.models import F

from integrations.events import API_VERSION, DEALER_UPDATED
from integrations.services import EventSpec, record_events
from partners.models import Company, CreditAccount


def dealer_updated(company: Company, changed: list[str], account: CreditAccount | None = None) -> EventSpec:
    """The dealer as it is now, at its current version (the caller has just bumped it)."""
    credit = None
    if account is not None:
        credit = {
            "limit": format(account.credit_limit, "f"),
            "currency": account.currency,
            "payment_terms": account.payment_terms,
            "payment_terms_days": account.payment_terms_days,
            "on_hold": account.on_hold,
        }
    return EventSpec(
        event_type=DEALER_UPDATED,
        aggregate_type="dealer",
        aggregate_id=company.code,
        sequence=company.version,
        data={
            "api_version": API_VERSION,
            "sequence": company.version,
            "dealer": {
                "id": str(company.pk),
                "code": company.code,
                "name": company.name,
                "kind": company.kind,
                "tier": company.tier.code if company.tier_id else None,
                "region": company.region.name if company.region_id else None,
                "currency": company.currency,
                "is_active": company.is_active,
                "credit": credit,
                "addresses": [
                    {
                        "name": a.name, "line1": a.line1, "line2": a.line2, "city": a.city,
                        "postal_code": a.postal_code, "country": a.country, "is_default_shipping": a.is_default_shipping,
                    }
                    for a in sorted(company.addresses.all(), key=lambda a: a.pk)
                ],
            },
            "changed": changed,
        },
    )


def announce_dealers(company_ids, changed: list[str]) -> None:
    """Bump each dealer's version and write one dealer.updated each (inside the caller's
    transaction). Four queries whatever the number of dealers."""
    ids = list(company_ids)
    if not ids:
        return
    Company.objects.filter(pk__in=ids).update(version=F("version") + 1)
    companies = Company.objects.filter(pk__in=ids).select_related("tier", "region", "credit_account").prefetch_related("addresses").order_by("pk")
    record_events([dealer_updated(c, changed, getattr(c, "credit_account", None)) for c in companies])
