"""The sender's own pause of an endpoint after repeated failures is in the audit log, as a
pause by staff is: actor "system", the reason, before and after."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.context import acting_as
from audit.models import AuditEntry
from integrations import tasks
from integrations.endpoints import resume_endpoint
from integrations.models import Delivery
from integrations.services import record_event
from tests.erp_receiver import Reply

pytestmark = pytest.mark.django_db

STOCK = {
    "api_version": "2026-12-01", "sequence": 1, "sku": "A", "warehouse": "MAIN", "quantity_on_hand": 101,
    "quantity_allocated": 1, "quantity_available": 100, "reason": "adjusted",
}


def send_what_is_due() -> None:
    Delivery.objects.filter(state__in=Delivery.RETRYABLE_STATES).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    tasks.sweep(in_process=True)


def test_the_automatic_pause_is_recorded_as_system_with_its_reason(
    receiver, endpoint, settings, admin_user, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 3
    receiver.default = Reply(503)
    with django_capture_on_commit_callbacks(execute=True):
        record_event("stock.updated", "stock", "A@MAIN", 1, STOCK)  # the first attempt fails
    send_what_is_due()  # the second
    assert len(receiver.requests) == 2
    assert not AuditEntry.objects.exists()  # 2 failures: not paused, nothing recorded
    # The third failing attempt is sent while a staff member is acting (a request sending
    # in-process): the pause is still the system's, not theirs.
    with acting_as(admin_user):
        send_what_is_due()
    endpoint.refresh_from_db()
    assert endpoint.paused_at is not None and endpoint.pause_reason == "3 failed attempts in a row"
    (entry,) = AuditEntry.objects.all()
    assert (entry.action, entry.actor, entry.actor_label, entry.ip_address) == ("change", None, "system", None)
    assert (entry.object_type, entry.object_id, entry.object_text) == (
        "integrations.webhookendpoint", str(endpoint.pk), receiver.url,
    )
    assert entry.changes == {"paused_at": [None, endpoint.paused_at.isoformat()], "pause_reason": ["", "3 failed attempts in a row"]}
    assert entry.note == "paused by the sender after repeated failures"

    send_what_is_due()  # paused: nothing is sent, and nothing more recorded
    assert len(receiver.requests) == 3 and AuditEntry.objects.count() == 1
    receiver.default = Reply(200)
    with acting_as(admin_user), django_capture_on_commit_callbacks(execute=True):
        resume_endpoint(endpoint)
    resumed = AuditEntry.objects.latest("id")
    assert (resumed.actor, resumed.note) == (admin_user, "sending resumed")
    assert resumed.changes["pause_reason"] == ["3 failed attempts in a row", ""]
