"""Changes made outside the admin record who made them: a staff member through GraphQL, the
ERP through its app token, a shell command as "system" or as the user it names; each with
the address and request id of the request when there is one."""

import json
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from audit import context
from audit.context import acting_as
from audit.models import AuditEntry
from integrations.endpoints import pause_endpoint, resume_endpoint, rotate_secret
from integrations.inbound.tokens import create_token
from integrations.models import WebhookEndpoint
from partners.services import update_credit_terms
from security.staff_roles import setup_staff_roles
from tests.factories import CompanyFactory, CreditAccountFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_erp_list_prices_are_recorded_as_the_app_token_with_its_address_and_request_id(client):
    VariantFactory(sku="85123A", list_price=D("2.55"))
    VariantFactory(sku="22423", list_price=D("10.95"))
    _, raw = create_token("SAP production", ["catalog:write"])
    response = client.post(
        "/integrations/erp/v1/list-prices/",
        json.dumps({"prices": [{"sku": "85123A", "list_price": "2.65"}, {"sku": "22423", "list_price": "10.95"}]}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_IDEMPOTENCY_KEY="p-1",
        HTTP_X_REQUEST_ID="req-erp-0001", REMOTE_ADDR="198.51.100.20", HTTP_USER_AGENT="SAP-PI/7.5",
    )
    assert response.status_code == 200 and response.json()["changed"] == 1
    [entry] = AuditEntry.objects.filter(object_type="catalog.variant")  # the unchanged SKU has none
    assert (entry.actor, entry.actor_label, entry.ip_address, entry.request_id, entry.user_agent) == (
        None, "app token SAP production", "198.51.100.20", "req-erp-0001", "SAP-PI/7.5")
    assert entry.changes == {"list_price": ["2.55", "2.65"]} and entry.note == "list prices from the ERP"


def test_a_hold_release_through_graphql_names_the_finance_user(graphql):
    company = CompanyFactory(code="C7", credit_account=None)
    CreditAccountFactory(company=company)
    finance = UserFactory(email="fin@vendor.test", is_staff=True)
    finance.user_permissions.add(Permission.objects.get(codename="change_creditaccount"))
    until = timezone.localdate() + timedelta(days=7)
    answer = graphql(finance).execute(
        'mutation($until: Date!) { releaseOverdueHold(dealerCode: "C7", until: $until, note: "promised to pay") '
        "{ releasedUntil errors { code } } }", {"until": until.isoformat()})
    assert answer["data"]["releaseOverdueHold"]["errors"] == []
    [entry] = AuditEntry.objects.all()
    assert (entry.actor, entry.actor_label, entry.ip_address) == (finance, "fin@vendor.test", "127.0.0.1")
    assert entry.object_type == "partners.creditaccount" and entry.note == "overdue hold released"
    assert entry.changes["hold_released_until"] == [None, until.isoformat()]
    assert entry.changes["hold_released_by"] == [None, f"fin@vendor.test (#{finance.pk})"]
    assert entry.changes["hold_release_note"] == ["", "promised to pay"]


def test_a_shell_change_is_system_unless_the_command_names_its_user():
    account = CreditAccountFactory(credit_limit=D("1000.00"))
    update_credit_terms(account.pk, credit_limit=D("1500.00"), currency=account.currency, payment_terms_days=30, on_hold=False)
    ops = UserFactory(email="ops@vendor.test", is_staff=True)
    with acting_as(ops):
        update_credit_terms(account.pk, credit_limit=D("1800.00"), currency=account.currency, payment_terms_days=30, on_hold=True)
    by_system, by_ops = AuditEntry.objects.order_by("id")
    assert (by_system.actor, by_system.actor_label, by_system.ip_address) == (None, "system", None)
    assert by_system.changes == {"credit_limit": ["1000.00", "1500.00"]}
    assert (by_ops.actor, by_ops.actor_label) == (ops, "ops@vendor.test")
    assert by_ops.changes == {"credit_limit": ["1500.00", "1800.00"], "on_hold": [False, True]}


def test_a_refused_credit_change_records_nothing():
    account = CreditAccountFactory(credit_limit=D("1000.00"), outstanding=D("800.00"))
    with pytest.raises(Exception, match="owes"):
        update_credit_terms(account.pk, credit_limit=D("500.00"), currency=account.currency, payment_terms_days=30, on_hold=False)
    assert not AuditEntry.objects.exists()


def test_a_secret_rotation_from_a_shell_never_stores_either_secret():
    endpoint = WebhookEndpoint.objects.create(url="https://erp.example.com/h", secret="old-secret-abc123", event_types=["*"])
    rotate_secret(endpoint, "new-secret-def456", window=timedelta(hours=2))
    [entry] = AuditEntry.objects.all()
    assert (entry.action, entry.actor_label) == ("rotate_secret", "system")
    assert entry.changes["secret"] == ["(secret)", "(changed)"]
    dumped = str(list(AuditEntry.objects.values()))
    assert "old-secret-abc123" not in dumped and "new-secret-def456" not in dumped


def test_setting_up_the_roles_records_each_group_and_a_second_run_records_nothing():
    setup_staff_roles()
    made = AuditEntry.objects.filter(object_type="auth.group")
    assert sorted(made.values_list("object_text", flat=True)) == ["Administrators", "Channel managers", "Finance", "Merchandisers", "Support"]
    assert set(made.values_list("action", flat=True)) == {"create"}
    setup_staff_roles()
    assert AuditEntry.objects.count() == 5


def test_the_request_context_ends_with_the_request(client):
    client.get("/admin/login/")
    assert context.current() is None


def test_pausing_and_resuming_an_endpoint_says_who_and_when(client, admin_user):
    endpoint = WebhookEndpoint.objects.create(url="https://erp.example.com/h", secret="x" * 20, event_types=["*"])
    pause_endpoint(endpoint, reason="ERP maintenance")
    assert not pause_endpoint(endpoint, reason="again")  # already paused: nothing more recorded
    with acting_as(admin_user):
        resume_endpoint(endpoint)
    paused, resumed = AuditEntry.objects.order_by("id")
    assert paused.actor_label == "system" and paused.changes["pause_reason"] == ["", "ERP maintenance"]
    assert resumed.actor == admin_user and resumed.note == "sending resumed"
    assert resumed.changes["pause_reason"] == ["ERP maintenance", ""] and resumed.changes["paused_at"][1] is None
