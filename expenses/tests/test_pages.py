"""The dealer's funds pages, and proof files served only to the dealer's users and staff."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from expenses.models import ActivityPlan
from expenses.services.claims import add_proof
from expenses.services.plans import approve_plan
from expenses.tests.factories import FundFactory
from expenses.tests.test_claims import photo
from expenses.tests.test_plans import submitted
from mall.auth_tokens import create_access_token
from partners.models import Comment, Membership
from tests.factories import UserFactory
from tests.query_counts import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


@pytest.fixture
def proof(dealer, approvers):
    plan = approve_plan(submitted(dealer).pk, approver=approvers[0])
    return add_proof(plan.pk, user=dealer, company=dealer.membership.company, upload=photo())


def test_the_funds_page_shows_budgets_and_plans(client, dealer, approvers):
    plan = approve_plan(submitted(dealer, "700.00").pk, approver=approvers[0])
    client.force_login(dealer)
    page = client.get("/funds/").content.decode()
    assert "MDF 2026" in page and "£5,000.00" in page and "£4,300.00" in page  # 700 approved
    assert plan.title in page and "Approved" in page


def test_a_dealer_admin_drafts_submits_uploads_and_claims_on_the_pages(client, dealer, approvers):
    fund = FundFactory(company=dealer.membership.company)
    client.force_login(dealer)
    response = client.post("/funds/plans/new/", {
        "fund": fund.pk, "kind": "promotion_day", "title": "Store day", "starts_on": "2026-04-04", "ends_on": "2026-04-04",
        "requested_amount": "400.00", "expected_outcome": "Sell 50 drills",
    })
    plan = ActivityPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/funds/plans/{plan.pk}/"
    client.post(f"/funds/plans/{plan.pk}/action/", {"action": "submit"})
    approve_plan(plan.pk, approver=approvers[0])

    refused = client.post(f"/funds/plans/{plan.pk}/action/", {"action": "proof", "file": SimpleUploadedFile("x.jpg", b"\x7fELF" + b"\x00" * 100)})
    assert refused.status_code == 400 and "Only JPEG, PNG and PDF files are accepted" in refused.content.decode()
    client.post(f"/funds/plans/{plan.pk}/action/", {"action": "proof", "file": photo(), "description": "Our stand"})
    client.post(f"/funds/plans/{plan.pk}/action/", {"action": "claim", "actual_spend": "380.00"})
    plan.refresh_from_db()
    assert (plan.state, plan.actual_spend, plan.proofs.count()) == ("claimed", Decimal("380.00"), 1)
    assert "Claim sent (proof and spend)" in client.get(f"/funds/plans/{plan.pk}/").content.decode()


def test_a_buyer_sees_the_plans_but_cannot_act(client, dealer, approvers):
    plan = submitted(dealer)
    buyer = UserFactory(company=dealer.membership.company, company__role=Membership.Role.BUYER)
    client.force_login(buyer)
    assert client.get(f"/funds/plans/{plan.pk}/").status_code == 200
    response = client.post(f"/funds/plans/{plan.pk}/action/", {"action": "cancel"})
    assert response.status_code == 400 and "dealer admins can plan and claim" in response.content.decode()


def test_another_dealers_plan_is_not_found_on_every_page(client, dealer, other_dealer, proof):
    plan_id = proof.plan_id
    client.force_login(other_dealer)
    assert client.get(f"/funds/plans/{plan_id}/").status_code == 404
    for action in ("submit", "cancel", "claim", "proof"):
        assert client.post(f"/funds/plans/{plan_id}/action/", {"action": action}).status_code == 404
    assert client.get(f"/funds/proofs/{proof.pk}/").status_code == 404
    assert client.get(f"/funds/proofs/{proof.pk}/thumbnail/").status_code == 404
    assert ActivityPlan.objects.get(pk=plan_id).state == "approved"


def test_anonymous_gets_no_page_and_no_file(client, proof):
    assert client.get("/funds/").status_code == 302
    assert client.get(f"/funds/plans/{proof.plan_id}/").status_code == 302
    assert client.get(f"/funds/proofs/{proof.pk}/").status_code == 404
    assert client.get(f"/funds/proofs/{proof.pk}/", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 404


def test_the_proof_is_served_to_its_dealer_staff_and_token_clients(client, dealer, other_dealer, proof, auditor):
    client.force_login(dealer)
    response = client.get(f"/funds/proofs/{proof.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(b"".join(client.get(f"/funds/proofs/{proof.pk}/thumbnail/").streaming_content))) as thumb:
        assert thumb.size == (320, 240)
    client.force_login(auditor)
    assert client.get(f"/funds/proofs/{proof.pk}/").status_code == 200
    client.logout()
    assert client.get(f"/funds/proofs/{proof.pk}/", HTTP_AUTHORIZATION=f"Bearer {create_access_token(dealer)}").status_code == 200
    assert client.get(f"/funds/proofs/{proof.pk}/", HTTP_AUTHORIZATION=f"Bearer {create_access_token(other_dealer)}").status_code == 404


def test_staff_without_the_view_permission_get_no_file(client, proof):
    clerk = UserFactory(email="clerk@vendor.example", is_staff=True)
    client.force_login(clerk)
    assert client.get(f"/funds/proofs/{proof.pk}/").status_code == 404


def test_the_funds_page_queries_do_not_grow_with_plans(client, dealer):
    fund = FundFactory(company=dealer.membership.company, budget=Decimal("90000.00"))
    client.force_login(dealer)

    def grow(n):
        for i in range(n):
            ActivityPlan.objects.create(
                company=fund.company, fund=fund, kind="ads", title=f"Ad {i}", starts_on=fund.period_start, ends_on=fund.period_start,
                currency="GBP", requested_amount=Decimal("10.00"), expected_outcome="reach",
            )

    assert_queries_do_not_grow(client, "/funds/", grow, first=2, then=10)


def test_the_claim_has_a_comment_thread_for_its_dealer_and_the_vendor_only(client, dealer, other_dealer, proof):
    plan_id = proof.plan_id
    client.force_login(dealer)
    client.post(f"/funds/plans/{plan_id}/comment/", {"body": "Invoice follows on Monday"})
    assert "Invoice follows on Monday" in client.get(f"/funds/plans/{plan_id}/").content.decode()
    client.force_login(other_dealer)
    assert client.post(f"/funds/plans/{plan_id}/comment/", {"body": "let me in"}).status_code == 404
    assert Comment.objects.filter(body="let me in").count() == 0
