"""App tokens: shown once, stored hashed, scoped, revocable; every call audited; a dealer's
JWT cannot call the ERP API."""

import hashlib

import pytest

from integrations.inbound.models import AppToken, InboundCall
from integrations.inbound.tokens import create_token, revoke_token
from mall.auth_tokens import create_access_token
from mall.errors import DomainError
from tests.factories import CompanyFactory, UserFactory, VariantFactory

ROWS = {"rows": [{"sku": "85123A", "warehouse": "MAIN", "quantity_on_hand": 40, "counted_at": "2026-12-01T08:00:00Z"}]}


@pytest.mark.django_db
def test_a_token_is_stored_as_its_hash_only():
    token, raw = create_token("SAP production", ["stock:write"])
    assert raw.startswith("dmapp_") and len(raw) > 40
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:12]
    row = AppToken.objects.filter(pk=token.pk).values()[0]
    assert raw not in [str(v) for v in row.values()]
    with pytest.raises(DomainError):
        create_token("x", ["everything:write"])
    with pytest.raises(DomainError):
        create_token(" ", ["stock:write"])


@pytest.mark.django_db
def test_refused_calls_are_refused_and_audited(erp_call, app_token):
    VariantFactory(sku="85123A", stock=10)
    orders_only = app_token("orders:write")
    status, body = erp_call("stock-levels", ROWS, token=orders_only)
    assert status == 403 and body["errors"][0]["code"] == "SCOPE_MISSING"

    status, body = erp_call("stock-levels", ROWS, token=None)
    assert status == 401 and body["errors"][0]["code"] == "UNAUTHENTICATED"
    status, body = erp_call("stock-levels", ROWS, token="dmapp_not-a-real-token")
    assert status == 401

    # a dealer user's JWT is no app token
    dealer_jwt = create_access_token(UserFactory(company=CompanyFactory()))
    status, body = erp_call("stock-levels", ROWS, token=dealer_jwt)
    assert status == 401 and body["errors"][0]["code"] == "UNAUTHENTICATED"

    raw = app_token("stock:write")
    status, body = erp_call("stock-levels", ROWS, token=raw, key="k-1")
    assert status == 200 and body["applied"] == 1
    token = AppToken.objects.get(prefix=raw[:12])
    assert token.last_used_at is not None
    revoke_token(token)
    status, body = erp_call("stock-levels", ROWS, token=raw, key="k-2")
    assert status == 401 and body["errors"][0]["code"] == "TOKEN_REVOKED"

    calls = list(InboundCall.objects.order_by("id").values_list("operation", "outcome", "status_code"))
    assert calls == [
        ("stock-levels", "refused", 403), ("stock-levels", "refused", 401), ("stock-levels", "refused", 401),
        ("stock-levels", "refused", 401), ("stock-levels", "ok", 200), ("stock-levels", "refused", 401),
    ]
    assert InboundCall.objects.filter(token=token).count() == 2


@pytest.mark.django_db
def test_a_message_without_idempotency_key_is_refused(erp_call, app_token):
    status, body = erp_call("stock-levels", ROWS, token=app_token("stock:write"), key=None)
    assert status == 400 and body["errors"][0] == {
        "field": "idempotency_key", "code": "REQUIRED", "message": "Send an Idempotency-Key with every message."
    }


@pytest.mark.django_db
def test_back_office_creates_a_token_shown_once_and_revokes_it(admin_client):
    response = admin_client.post("/admin/integrations/apptoken/add/", {"name": "SAP", "scopes": ["stock:write", "orders:write"]}, follow=True)
    assert response.status_code == 200
    token = AppToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert any(token.prefix in m and "not shown again" in m for m in shown)
    assert token.scopes == ["orders:write", "stock:write"]
    listing = admin_client.get("/admin/integrations/apptoken/").content.decode()
    assert token.prefix in listing and token.token_hash not in listing
    admin_client.post("/admin/integrations/apptoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert admin_client.get("/admin/integrations/inboundcall/").status_code == 200
