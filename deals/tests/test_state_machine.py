"""Every legal transition of a deal, and illegal ones as INVALID_TRANSITION, each logged."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from deals import services
from deals.models import Deal, DealTransition
from deals.services import DealInput
from deals.states import DEALER, STAFF, TRANSITIONS, allowed_actions, next_state
from mall.errors import DomainError
from tests.factories import CompanyFactory

S = Deal.State
pytestmark = pytest.mark.django_db


def _register(user, name="Acme Trading Ltd", submit=False, **extra):
    data = DealInput(prospect_name=name, expected_value=Decimal("12000.00"), **extra)
    return services.register_deal(company=user.membership.company, user=user, data=data, submit=submit).deal


def _code(excinfo):
    return [d.code for d in excinfo.value.details]


def test_draft_submit_approve_win_is_logged_with_who_and_when(alpha, staff, settings):
    settings.DEAL_PROTECTION_DAYS = 90
    deal = _register(alpha)
    assert deal.state == S.DRAFT
    services.submit_deal(deal.pk, company=alpha.membership.company, user=alpha)
    before = timezone.now()
    services.approve_deal(deal.pk, by=staff)
    services.close_deal(deal.pk, outcome="win", by=alpha, company=alpha.membership.company)
    deal.refresh_from_db()
    assert deal.state == S.WON
    # 90 days from approval
    assert before + timedelta(days=90) <= deal.protected_until <= timezone.now() + timedelta(days=90)
    log = list(DealTransition.objects.filter(deal=deal).values_list("action", "from_state", "to_state", "by__email"))
    assert log == [
        ("submit", "draft", "submitted", "ann@alpha.example"),
        ("approve", "submitted", "approved", "cara@vendor.example"),
        ("win", "approved", "won", "ann@alpha.example"),
    ]


def test_reject_needs_a_reason_and_keeps_it(alpha, staff):
    deal = _register(alpha, submit=True)
    with pytest.raises(DomainError) as excinfo:
        services.reject_deal(deal.pk, by=staff, reason="  ")
    assert _code(excinfo) == ["REQUIRED"]
    services.reject_deal(deal.pk, by=staff, reason="Already our direct customer.")
    deal.refresh_from_db()
    assert (deal.state, deal.rejection_reason) == (S.REJECTED, "Already our direct customer.")
    assert deal.transitions.last().reason == "Already our direct customer."


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (S.DRAFT, "approve"),
        (S.DRAFT, "win"),
        (S.SUBMITTED, "submit"),
        (S.SUBMITTED, "win"),
        (S.APPROVED, "approve"),
        (S.APPROVED, "reject"),
        (S.REJECTED, "approve"),
        (S.WON, "lose"),
        (S.LOST, "win"),
        (S.EXPIRED, "extend"),
        (S.WON, "transfer"),
    ],
)
def test_illegal_transitions_are_typed_errors(state, action):
    with pytest.raises(DomainError) as excinfo:
        next_state(action, state, STAFF if action != "submit" else DEALER)
    assert _code(excinfo) == ["INVALID_TRANSITION"]


def test_a_dealer_cannot_approve_its_own_deal():
    with pytest.raises(DomainError) as excinfo:
        next_state("approve", S.SUBMITTED, DEALER)
    assert _code(excinfo) == ["INVALID_TRANSITION"]
    assert allowed_actions(S.SUBMITTED, DEALER) == []
    assert allowed_actions(S.APPROVED, DEALER) == ["win", "lose"]


def test_every_table_entry_is_reachable_through_a_service(alpha, staff):
    """Drive each (action, state) pair of the table once through the services."""
    company = alpha.membership.company
    other = CompanyFactory(name="Gamma Ltd")
    done = set()
    for (action, state), step in TRANSITIONS.items():
        deal = _register(alpha, name=f"Prospect for {action} {state}")
        if state in (S.SUBMITTED, S.APPROVED):
            services.submit_deal(deal.pk, company=company, user=alpha)
        if state == S.APPROVED:
            services.approve_deal(deal.pk, by=staff)
        call = {
            "submit": lambda d: services.submit_deal(d.pk, company=company, user=alpha),
            "approve": lambda d: services.approve_deal(d.pk, by=staff),
            "reject": lambda d: services.reject_deal(d.pk, by=staff, reason="no"),
            "win": lambda d: services.close_deal(d.pk, outcome="win", by=staff),
            "lose": lambda d: services.close_deal(d.pk, outcome="lose", by=alpha, company=company),
            "expire": lambda d: (Deal.objects.filter(pk=d.pk).update(protected_until=timezone.now()), services.expire_due_deals()),
            "extend": lambda d: services.extend_protection(d.pk, by=staff, days=30),
            "transfer": lambda d: services.transfer_deal(d.pk, by=staff, to_company=other),
        }[action]
        call(deal)
        deal.refresh_from_db()
        assert deal.state == step.to_state, (action, state)
        assert deal.transitions.last().action == action
        done.add((action, state))
    assert done == set(TRANSITIONS)


def test_only_drafts_are_editable(alpha):
    company = alpha.membership.company
    deal = _register(alpha)
    services.update_deal(deal.pk, company=company, user=alpha, data=DealInput(prospect_name="ACME Trading Limited", expected_value="1"))
    deal.refresh_from_db()
    assert (deal.prospect_name, deal.name_key) == ("ACME Trading Limited", "acme trading")
    services.submit_deal(deal.pk, company=company, user=alpha)
    with pytest.raises(DomainError) as excinfo:
        services.update_deal(deal.pk, company=company, user=alpha, data=DealInput(prospect_name="X"))
    assert _code(excinfo) == ["NOT_EDITABLE"]


def test_bad_input_is_refused_field_by_field(alpha):
    with pytest.raises(DomainError) as excinfo:
        services.register_deal(
            company=alpha.membership.company,
            user=alpha,
            data=DealInput(prospect_name=" ", expected_value="-5", currency="XXXX", contact_email="nope", region_id=999999),
        )
    assert sorted((d.field, d.code) for d in excinfo.value.details) == [
        ("contact_email", "INVALID"),
        ("currency", "INVALID"),
        ("expected_value", "INVALID"),
        ("prospect_name", "REQUIRED"),
        ("region_id", "NOT_FOUND"),
    ]
    assert not Deal.objects.exists()


def test_extend_and_transfer_by_staff(alpha, beta, staff):
    deal = _register(alpha, submit=True)
    services.approve_deal(deal.pk, by=staff, days=10)
    deal.refresh_from_db()
    end = deal.protected_until
    services.extend_protection(deal.pk, by=staff, days=30, reason="tender delayed")
    deal.refresh_from_db()
    assert deal.protected_until == end + timedelta(days=30)
    assert deal.state == S.APPROVED
    services.transfer_deal(deal.pk, by=staff, to_company=beta.membership.company, reason="prospect asked")
    deal.refresh_from_db()
    assert deal.company == beta.membership.company
    assert [t.action for t in deal.transitions.all()] == ["submit", "approve", "extend", "transfer"]
    assert deal.transitions.last().reason.startswith(f"from {alpha.membership.company.code} to {beta.membership.company.code}")


def test_a_submitted_deal_reaches_its_reviewers(alpha, staff, django_capture_on_commit_callbacks):
    Group.objects.create(name="Channel managers").user_set.add(staff)
    with django_capture_on_commit_callbacks(execute=True):
        deal = _register(alpha, submit=True)
    assert [(m.to, m.subject) for m in mail.outbox] == [(["cara@vendor.example"], "Deal to review: Acme Trading Ltd")]
    assert staff.notifications.get().link == f"/admin/deals/deal/{deal.pk}/review/"
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_deal(deal.pk, by=staff)
    assert mail.outbox[-1].to == ["ann@alpha.example"] and mail.outbox[-1].subject == "Deal approved: Acme Trading Ltd"
