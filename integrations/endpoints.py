"""Writes on webhook endpoints: secret rotation, pause and resume, the test event."""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.changes import CHANGED, SECRET
from audit.models import AuditEntry
from audit.services import Tracker, record

from .dispatch import dispatch
from .events import API_VERSION, WEBHOOK_TEST
from .models import Delivery, OutboxEvent, WebhookEndpoint
from .validation import WebhookConfigError, validate_secret

logger = logging.getLogger(__name__)


def rotate_secret(endpoint: WebhookEndpoint, new_secret: str, *, window: timedelta | None = None) -> WebhookEndpoint:
    """Make `new_secret` the signing secret; the old one stays valid (both signatures are
    sent) for `window` (default WEBHOOK_ROTATION_WINDOW_SECONDS, 24 h). Stored exactly as
    given; refused when empty or equal to the current secret."""
    new_secret = validate_secret(new_secret)
    window = window if window is not None else timedelta(seconds=settings.WEBHOOK_ROTATION_WINDOW_SECONDS)
    if window < timedelta(0):
        raise WebhookConfigError("window", "invalid", "The rotation window cannot be negative.")
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if new_secret == locked.secret:
            raise WebhookConfigError("secret", "unchanged", "The new secret is the current one; enter a different one.")
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = timezone.now() + window
        locked.secret = new_secret
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
        record(AuditEntry.Action.ROTATE_SECRET, locked, changes={  # never the secrets themselves
            "secret": [SECRET, CHANGED], "previous_secret_expires_at": [None, locked.previous_secret_expires_at.isoformat()],
        })
    return locked


def end_rotation(endpoint: WebhookEndpoint) -> None:
    """Stop signing with the previous secret now (the receiver has switched)."""
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(previous_secret="", previous_secret_expires_at=None)


def pause_endpoint(endpoint: WebhookEndpoint, reason: str = "paused by staff") -> bool:
    """Stop sending to the endpoint; its deliveries wait. False if it was already paused."""
    now = timezone.now()
    with transaction.atomic():
        paused = bool(
            WebhookEndpoint.objects.filter(pk=endpoint.pk, paused_at__isnull=True).update(
                paused_at=now, pause_reason=reason[:255]
            )
        )
        if paused:
            record(AuditEntry.Action.CHANGE, endpoint, changes={"paused_at": [None, now.isoformat()], "pause_reason": ["", reason[:255]]})
        return paused


def resume_endpoint(endpoint: WebhookEndpoint) -> int:
    """Send again: the failure streak is cleared, every waiting delivery is due now with a
    fresh retry age (time spent paused does not count against it), and they go out after
    commit, in order per aggregate. Returns how many deliveries were waiting."""
    now = timezone.now()
    with transaction.atomic():
        tracked = Tracker(WebhookEndpoint, endpoint.pk, include=["paused_at", "pause_reason"])
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            paused_at=None, pause_reason="", consecutive_failures=0
        )
        tracked.record(note="sending resumed")
        waiting = Delivery.objects.filter(endpoint_id=endpoint.pk, state__in=Delivery.RETRYABLE_STATES)
        count = waiting.update(next_attempt_at=now, give_up_at=None)
        ids = list(waiting.order_by("sequence", "id").values_list("id", flat=True)[: settings.WEBHOOK_DISPATCH_LIMIT])
        if ids:
            transaction.on_commit(partial(dispatch, ids), robust=True)
    logger.info("webhook endpoint %s resumed; %s deliveries waiting", endpoint.pk, count)
    return count


def send_test_event(endpoint: WebhookEndpoint, *, requested_by: str = "") -> OutboxEvent:
    """A `webhook.test` event to this endpoint only (whatever it subscribes to), sent after
    commit like any other: the delivery log shows how the endpoint answered."""
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        previous = OutboxEvent.objects.filter(
            event_type=WEBHOOK_TEST, aggregate_type="endpoint", aggregate_id=str(locked.pk)
        ).count()
        now = timezone.now()
        event = OutboxEvent.objects.create(
            event_type=WEBHOOK_TEST,
            aggregate_type="endpoint",
            aggregate_id=str(locked.pk),
            sequence=previous + 1,
            created_at=now,
            data={
                "api_version": API_VERSION,
                "sequence": previous + 1,
                "endpoint": {"id": str(locked.pk), "url": locked.url},
                "requested_by": requested_by,
                "message": "A test event from DealerMall. Answer 2xx; nothing else is expected.",
            },
        )
        delivery = Delivery.objects.create(
            event=event, endpoint=locked, aggregate_key=f"endpoint:{locked.pk}", sequence=event.sequence,
            next_attempt_at=now, created_at=now,
        )
        transaction.on_commit(partial(dispatch, [delivery.pk]), robust=True)
    return event
