"""Proof, claim, audit (检核) with the sales uplift, and write-off (核销)."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from billing.models import CreditNote
from expenses.models import FundEntry, Payout, ProofFile
from expenses.selectors import uplift_of
from expenses.services.claims import (
    add_proof,
    pass_audit,
    reject_claim,
    return_claim,
    submit_claim,
    write_off,
)
from expenses.services.plans import PlanInput, approve_plan, create_plan, submit_plan
from expenses.tests.factories import FundFactory
from expenses.tests.test_plans import codes, submitted
from mall.errors import DomainError
from rebates.models import WalletEntry
from rebates.selectors import wallet_balance
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def photo(name="booth.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 90, 200)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), "image/jpeg")


@pytest.fixture
def approved(dealer, approvers):
    plan = submitted(dealer, "800.00")
    return approve_plan(plan.pk, approver=approvers[0])


def claimed(dealer, plan, spend="750.00"):
    company = dealer.membership.company
    add_proof(plan.pk, user=dealer, company=company, upload=photo(), description="Our booth")
    return submit_claim(plan.pk, user=dealer, company=company, actual_spend=spend, note="Invoice attached")


def test_proof_is_stored_with_a_thumbnail_and_a_renamed_executable_is_refused(dealer, approved, settings):
    company = dealer.membership.company
    proof = add_proof(approved.pk, user=dealer, company=company, upload=photo("IMG_0001.JPG"))
    assert proof.content_type == "image/jpeg" and proof.original_name == "IMG_0001.jpg"
    assert (settings.PRIVATE_MEDIA_ROOT / proof.file_path).is_file()
    assert (settings.PRIVATE_MEDIA_ROOT / proof.thumbnail_path).is_file()
    with pytest.raises(DomainError) as exc:
        add_proof(approved.pk, user=dealer, company=company, upload=SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00" + b"\x00" * 300))
    assert codes(exc) == ["UPLOAD_TYPE_NOT_ALLOWED"]
    assert ProofFile.objects.count() == 1


def test_a_claim_needs_proof_and_a_finished_activity(dealer, approvers):
    company = dealer.membership.company
    plan = approve_plan(submitted(dealer).pk, approver=approvers[0])
    with pytest.raises(DomainError) as exc:
        submit_claim(plan.pk, user=dealer, company=company, actual_spend="100.00")
    assert codes(exc) == ["PROOF_REQUIRED"]
    future_fund = FundFactory(company=company, name="MDF 2030", period_start=date(2030, 1, 1), period_end=date(2030, 12, 31))
    later = create_plan(user=dealer, company=company, data=PlanInput(
        fund_id=future_fund.pk, kind="ads", title="Radio", starts_on=date(2030, 5, 1), ends_on=date(2030, 5, 31),
        requested_amount=Decimal("300.00"), expected_outcome="reach",
    ))
    submit_plan(later.pk, user=dealer, company=company)
    approve_plan(later.pk, approver=approvers[0])
    add_proof(later.pk, user=dealer, company=company, upload=photo())
    with pytest.raises(DomainError) as exc:
        submit_claim(later.pk, user=dealer, company=company, actual_spend="100.00")
    assert codes(exc) == ["ACTIVITY_NOT_OVER"]


def test_audit_then_write_off_pays_the_smaller_of_approved_and_spent_and_consumes_the_budget(dealer, approved, auditor):
    plan = claimed(dealer, approved, spend="750.00")
    assert plan.state == "claimed" and plan.actual_spend == Decimal("750.00")
    plan = pass_audit(plan.pk, auditor=auditor, note="Photos and invoice match")
    assert plan.payable_amount == Decimal("750.00")  # spent less than the 800.00 approved
    plan = write_off(plan.pk, by=auditor)
    assert plan.state == "written_off"
    fund = plan.fund
    fund.refresh_from_db()
    # 5,000 budget: the 800 reservation became 750 consumed; 50 went back.
    assert (fund.reserved, fund.consumed, fund.remaining) == (Decimal("0.00"), Decimal("750.00"), Decimal("4250.00"))
    assert list(FundEntry.objects.filter(plan=plan).values_list("kind", "amount")) == [
        ("reserved", Decimal("800.00")),
        ("released", Decimal("50.00")),
        ("consumed", Decimal("750.00")),
    ]
    payout = Payout.objects.get(plan=plan)
    assert (payout.amount, payout.currency, payout.reference) == (Decimal("750.00"), "GBP", f"MDF-{plan.pk}")
    assert [t.name for t in plan.transitions.all()][-3:] == ["claim", "pass_audit", "write_off"]


def test_a_second_write_off_is_refused_and_pays_nothing_more(dealer, approved, auditor):
    plan = pass_audit(claimed(dealer, approved).pk, auditor=auditor)
    write_off(plan.pk, by=auditor)
    with pytest.raises(DomainError) as exc:
        write_off(plan.pk, by=auditor)
    assert codes(exc) == ["INVALID_TRANSITION"]
    assert Payout.objects.count() == 1


def test_the_audit_cannot_pay_more_than_spent_or_approved(dealer, approved, auditor):
    plan = claimed(dealer, approved, spend="900.00")  # spent more than the 800 approved
    with pytest.raises(DomainError) as exc:
        pass_audit(plan.pk, auditor=auditor, payable_amount="800.01")
    assert codes(exc) == ["INVALID"]
    assert "at most 800.00 GBP" in exc.value.details[0].message
    assert pass_audit(plan.pk, auditor=auditor, payable_amount="600.00").payable_amount == Decimal("600.00")


def test_a_returned_claim_takes_more_proof_and_can_be_claimed_again(dealer, approved, auditor):
    company = dealer.membership.company
    plan = claimed(dealer, approved)
    with pytest.raises(DomainError) as exc:
        add_proof(plan.pk, user=dealer, company=company, upload=photo())
    assert codes(exc) == ["INVALID_TRANSITION"]
    plan = return_claim(plan.pk, auditor=auditor, note="Add the invoice, please")
    assert plan.state == "approved"
    add_proof(plan.pk, user=dealer, company=company, upload=photo("invoice.jpg"))
    plan = submit_claim(plan.pk, user=dealer, company=company, actual_spend="780.00")
    assert plan.state == "claimed" and plan.proofs.count() == 2


def test_a_rejected_claim_gives_its_reservation_back(dealer, approved, auditor):
    plan = reject_claim(claimed(dealer, approved).pk, auditor=auditor, reason="Photos are of another event")
    plan.fund.refresh_from_db()
    assert plan.state == "claim_rejected" and plan.fund.remaining == Decimal("5000.00")


def test_only_auditors_audit_and_write_off(dealer, approved, approvers):
    plan = claimed(dealer, approved)
    for action in (lambda u: pass_audit(plan.pk, auditor=u), lambda u: write_off(plan.pk, by=u)):
        for user in (dealer, approvers[0]):
            with pytest.raises(DomainError) as exc:
                action(user)
            assert codes(exc) in (["NOT_ALLOWED"], ["INVALID_TRANSITION"])


def test_writing_off_a_claim_not_yet_audited_is_an_illegal_transition(dealer, approved, auditor):
    plan = claimed(dealer, approved)
    with pytest.raises(DomainError) as exc:
        write_off(plan.pk, by=auditor)
    assert codes(exc) == ["INVALID_TRANSITION"]
    assert not Payout.objects.exists()


def test_uplift_compares_the_activity_window_with_the_same_length_before(dealer, approved):
    """Plan 10-12 March 2026 (3 days): the window before is 7-9 March."""
    company = dealer.membership.company

    def order(day, total, tax="0.00", **kw):
        OrderFactory(company=company, placed_at=datetime(2026, 3, day, 12, tzinfo=UTC), total=Decimal(total), tax_total=Decimal(tax), **kw)

    order(6, "999.00")  # before the before-window: not counted
    order(7, "120.00", tax="20.00")  # 100 net
    order(9, "100.00")
    order(10, "300.00", tax="50.00")  # 250 net
    order(12, "150.00")
    order(11, "500.00", status="cancelled")  # not a purchase
    order(11, "400.00", status="pending_approval")  # not yet a purchase
    order(13, "999.00")  # after the window
    OrderFactory(placed_at=datetime(2026, 3, 11, 12, tzinfo=UTC), total=Decimal("700.00"))  # another dealer

    uplift = uplift_of(approved)
    assert (uplift.before_start, uplift.before_end) == (date(2026, 3, 7), date(2026, 3, 9))
    assert (uplift.before, uplift.during) == (Decimal("200.00"), Decimal("400.00"))
    assert uplift.change == Decimal("200.00")
    assert uplift.percent == Decimal("100.0")


def test_write_off_pays_into_the_rebate_wallet(settings, dealer, approved, auditor):
    settings.EXPENSE_PAYOUT = "rebate_wallet"
    company = dealer.membership.company
    plan = write_off(pass_audit(claimed(dealer, approved, spend="750.00").pk, auditor=auditor).pk, by=auditor)
    assert wallet_balance(company, "GBP") == Decimal("750.00")
    entry = WalletEntry.objects.get(wallet__company=company)
    assert (entry.kind, entry.amount, entry.idempotency_key) == ("credit", Decimal("750.00"), f"MDF-{plan.pk}")
    assert plan.payout.method == "rebate_wallet" and plan.payout.ledger_reference == f"wallet entry {entry.pk}"


def test_write_off_can_pay_by_credit_note(settings, dealer, approved, auditor):
    settings.EXPENSE_PAYOUT = "credit_note"
    company = dealer.membership.company
    plan = write_off(pass_audit(claimed(dealer, approved, spend="750.00").pk, auditor=auditor).pk, by=auditor)
    note = CreditNote.objects.get(company=company)
    assert (note.amount, note.currency, note.source_reference) == (Decimal("750.00"), "GBP", f"MDF-{plan.pk}")
    assert plan.payout.ledger_reference == note.number
