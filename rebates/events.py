"""What the ERP hears from rebates: `rebate.settled` (docs/webhooks/rebate.settled.schema.json)."""

from integrations.events import API_VERSION, REBATE_SETTLED
from integrations.services import EventSpec
from rebates.models import Settlement


def _amount(value) -> str:
    return format(value, "f")


def rebate_settled(settlement: Settlement) -> EventSpec:
    period = settlement.period
    program, company = period.program, period.company
    data = {
        "api_version": API_VERSION,
        "sequence": 1,
        "settlement": {
            "id": str(settlement.pk),
            "program": {"id": str(program.pk), "name": program.name, "mode": program.mode, "period_kind": program.period_kind},
            "dealer": {"id": str(company.pk), "code": company.code, "name": company.name},
            "period_start": period.starts_on.isoformat(),
            "period_end": period.ends_on.isoformat(),
            "currency": program.currency,
            "volume": _amount(settlement.volume),
            "rate": _amount(settlement.rate),
            "amount": _amount(settlement.amount),
            "accrued": _amount(settlement.accrued),
            "payout": settlement.payout,
            "payout_reference": settlement.payout_reference,
            "approved_at": settlement.approved_at.isoformat(),
        },
    }
    return EventSpec(event_type=REBATE_SETTLED, aggregate_type="rebate_settlement", aggregate_id=str(settlement.pk),
                     sequence=1, data=data)
