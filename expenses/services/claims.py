"""After approval: proof and actual spend (the claim), the audit (检核) and the write-off (核销).

The write-off pays `payable_amount` (≤ approved ≤ requested; set by the audit, at most the
actual spend) to the dealer and turns the plan's reservation into consumption in one
conditional UPDATE of the fund. Payment goes through expenses/payouts.py.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from expenses.models import ActivityPlan, FundEntry, ProofFile
from expenses.payouts import pay_out
from expenses.services.funds import consume, parse_money, release
from expenses.services.plans import dealer_plan, require_manager
from expenses.services.transitions import locked_plan, move, require
from mall.errors import DomainError
from mall.uploads import StoredFileFields, store_upload
from partners.models import Company, Membership

MAX_PROOFS = 30
PROOF_CATEGORY = "mdf-proof"


@transaction.atomic
def add_proof(plan_id, *, user, company: Company, upload, description: str = "") -> ProofFile:
    """A photo (JPEG/PNG) or document (PDF) of the activity, checked by mall/uploads.py.
    Proof is added while the plan is approved (before the claim, or after staff returned it)."""
    require_manager(user, company)
    plan = dealer_plan(plan_id, company)
    if plan.state != ActivityPlan.State.APPROVED:
        raise DomainError.single("plan", "INVALID_TRANSITION", gettext("Proof can be added only to an approved plan before its claim is sent."))
    if plan.proofs.count() >= MAX_PROOFS:
        raise DomainError.single("file", "TOO_MANY_FILES", gettext("A plan takes at most %(limit)s proof files.") % {"limit": MAX_PROOFS})
    stored = store_upload(upload, category=PROOF_CATEGORY)
    return ProofFile.objects.create(
        plan=plan, uploaded_by=user, description=(description or "").strip()[:255], **StoredFileFields.fields_from(stored)
    )


@transaction.atomic
def submit_claim(plan_id, *, user, company: Company, actual_spend, note: str = "") -> ActivityPlan:
    """Approved → claimed: the activity is over, proof is attached, here is what it cost."""
    require_manager(user, company)
    plan = dealer_plan(plan_id, company)
    require(plan, "claim")
    if plan.ends_on > timezone.localdate():
        raise DomainError.single("plan", "ACTIVITY_NOT_OVER", gettext("Claim after the activity has ended (%(ends_on)s).") % {"ends_on": plan.ends_on})
    if not plan.proofs.exists():
        raise DomainError.single("proofs", "PROOF_REQUIRED", gettext("Attach at least one photo or document as proof first."))
    spend = parse_money(actual_spend, plan.currency, "actual_spend")
    if spend <= 0:
        raise DomainError.single("actual_spend", "INVALID", gettext("Give the actual spend, above zero."))
    plan.actual_spend = spend
    plan.claim_note = (note or "").strip()[:4000]
    move(plan, "claim", by=user, note=note, update_fields=["actual_spend", "claim_note"])
    return plan


def _check_auditor(plan: ActivityPlan, auditor) -> None:
    if not (auditor.is_active and auditor.is_staff and auditor.has_perm("expenses.audit_activityplan")):
        raise DomainError.single(None, "NOT_ALLOWED", gettext("You may not audit marketing fund claims."))
    if Membership.objects.filter(user=auditor, company_id=plan.company_id).exists():
        raise DomainError.single(None, "OWN_PLAN", gettext("Nobody audits their own company's claim."))


@transaction.atomic
def return_claim(plan_id, *, auditor, note: str) -> ActivityPlan:
    """Claimed → approved: the proof does not show enough; the dealer adds more and claims again."""
    plan = locked_plan(plan_id)
    require(plan, "return_claim")
    _check_auditor(plan, auditor)
    if not (note or "").strip():
        raise DomainError.single("note", "REQUIRED", gettext("Tell the dealer what is missing."))
    move(plan, "return_claim", by=auditor, note=note.strip())
    return plan


@transaction.atomic
def pass_audit(plan_id, *, auditor, payable_amount=None, note: str = "") -> ActivityPlan:
    """Claimed → audited: the proof matches; fixes what will be paid (default: the smaller of
    approved amount and actual spend)."""
    plan = locked_plan(plan_id)
    require(plan, "pass_audit")
    _check_auditor(plan, auditor)
    ceiling = min(plan.approved_amount, plan.actual_spend)
    payable = ceiling
    if payable_amount is not None:
        payable = parse_money(payable_amount, plan.currency, "payable_amount")
        if payable > ceiling:
            raise DomainError.single(
                "payable_amount", "INVALID", gettext("Pay at most %(ceiling)s %(currency)s: the approved amount and the actual spend cap it.") % {"ceiling": ceiling, "currency": plan.currency}
            )
    plan.payable_amount = payable
    plan.audit_note = (note or "").strip()[:4000]
    move(plan, "pass_audit", by=auditor, note=note, update_fields=["payable_amount", "audit_note"])
    return plan


@transaction.atomic
def reject_claim(plan_id, *, auditor, reason: str) -> ActivityPlan:
    """The claim is not paid; the plan's reservation goes back to the fund."""
    plan = locked_plan(plan_id)
    require(plan, "reject_claim")
    _check_auditor(plan, auditor)
    if not (reason or "").strip():
        raise DomainError.single("reason", "REQUIRED", gettext("Say why the claim is rejected; the dealer reads it."))
    move(plan, "reject_claim", by=auditor, note=reason.strip())
    release(plan.fund_id, plan.approved_amount)
    FundEntry.objects.create(fund_id=plan.fund_id, kind=FundEntry.Kind.RELEASED, amount=plan.approved_amount, plan=plan, by=auditor, note="Claim rejected")
    return plan


@transaction.atomic
def write_off(plan_id, *, by) -> ActivityPlan:
    """Audited → written off: pay the dealer and consume the budget, all or nothing.

    The plan row is locked, so a second write-off of the same plan waits and then finds it
    written off (INVALID_TRANSITION): the dealer is never paid twice."""
    plan = locked_plan(plan_id)
    require(plan, "write_off")
    _check_auditor(plan, by)
    payable: Decimal = plan.payable_amount
    consume(plan.fund_id, plan.approved_amount, payable)
    unused = plan.approved_amount - payable
    if unused:
        FundEntry.objects.create(fund_id=plan.fund_id, kind=FundEntry.Kind.RELEASED, amount=unused, plan=plan, by=by, note="Approved but not spent")
    FundEntry.objects.create(fund_id=plan.fund_id, kind=FundEntry.Kind.CONSUMED, amount=payable, plan=plan, by=by)
    payout = pay_out(plan, payable, by=by)
    move(plan, "write_off", by=by, note=f"Paid {payable} {plan.currency} ({payout.get_method_display()} {payout.ledger_reference})".strip())
    return plan
