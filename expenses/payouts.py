"""Paying a written-off claim to the dealer.

settings.EXPENSE_PAYOUT chooses how: "rebate_wallet" (default) credits the dealer's rebate
wallet through rebates.services.credit_wallet, so the dealer spends it at checkout;
"credit_note" issues a credit note on the dealer's account through
billing.services.issue_credit_note (it reduces open invoices and sends credit_note.issued to
the ERP); "recorded" only records the payable here, for finance to pay outside the mall.
Either way one Payout row records it, and its reference MDF-<plan id> is the idempotency key
sent to the ledger, so a retried write-off can never pay twice. This runs inside the
write-off transaction: the ledger entry commits or rolls back with the plan.
"""

from decimal import Decimal

from django.conf import settings

from billing.services import issue_credit_note
from expenses.models import ActivityPlan, Payout
from rebates.services import credit_wallet


def payout_reference(plan: ActivityPlan) -> str:
    return f"MDF-{plan.pk}"


def pay_out(plan: ActivityPlan, amount: Decimal, *, by) -> Payout:
    method = settings.EXPENSE_PAYOUT
    if method not in Payout.Method.values:
        raise ValueError(f"settings.EXPENSE_PAYOUT={method!r} is not one of {Payout.Method.values}")
    reference = payout_reference(plan)
    ledger_reference = ""
    if amount > 0:
        ledger_reference = _pay(method, plan, amount, reference, by)
    return Payout.objects.create(
        plan=plan,
        company_id=plan.company_id,
        amount=amount,
        currency=plan.currency,
        method=method,
        reference=reference,
        ledger_reference=ledger_reference,
        paid_by=by,
    )


def _pay(method: str, plan: ActivityPlan, amount: Decimal, reference: str, by) -> str:
    reason = f"Marketing fund claim: {plan.title}"[:255]
    if method == Payout.Method.REBATE_WALLET:
        entry = credit_wallet(
            company=plan.company, amount=amount, currency=plan.currency, reason=reason,
            reference=reference, idempotency_key=reference,
        )
        return f"wallet entry {entry.pk}"
    if method == Payout.Method.CREDIT_NOTE:
        note = issue_credit_note(
            company=plan.company, amount=amount, currency=plan.currency, reason=reason,
            source_reference=reference, idempotency_key=reference, issued_by=by,
        )
        return note.number
    return ""
