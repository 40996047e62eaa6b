"""Reads of the integrations app (admin, sweeper, tests)."""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import Delivery, OutboxEvent, WebhookEndpoint


def due_delivery_ids(limit: int = 100, now: datetime | None = None) -> list[int]:
    """Pending/failed deliveries to active, unpaused endpoints whose next attempt is due and
    that are first in line for their aggregate (nothing earlier of it still open), oldest first.

    Includes deliveries whose after-commit dispatch was lost (broker down, process killed),
    and in-flight ones whose lease expired.
    """
    now = now or timezone.now()
    earlier_open = Delivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        aggregate_key=OuterRef("aggregate_key"),
        state__in=Delivery.RETRYABLE_STATES,
    ).filter(Q(sequence__lt=OuterRef("sequence")) | Q(sequence=OuterRef("sequence"), id__lt=OuterRef("id")))
    return list(
        Delivery.objects.filter(
            state__in=Delivery.RETRYABLE_STATES,
            next_attempt_at__lte=now,
            endpoint__is_active=True,
            endpoint__paused_at__isnull=True,
        )
        .filter(~Exists(earlier_open))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def paused_endpoints() -> QuerySet[WebhookEndpoint]:
    """Endpoints paused after failing, with how many deliveries wait for each (the alert)."""
    return WebhookEndpoint.objects.filter(paused_at__isnull=False).annotate(
        waiting_count=Count("deliveries", filter=Q(deliveries__state__in=Delivery.RETRYABLE_STATES))
    )


def endpoints_with_counts() -> QuerySet[WebhookEndpoint]:
    """Endpoints annotated with delivered_count, failed_count and dead_count."""
    return WebhookEndpoint.objects.annotate(
        delivered_count=Count("deliveries", filter=Q(deliveries__state=Delivery.State.DELIVERED)),
        failed_count=Count("deliveries", filter=Q(deliveries__state=Delivery.State.FAILED)),
        dead_count=Count("deliveries", filter=Q(deliveries__state=Delivery.State.DEAD)),
    )


def events_for_aggregate(aggregate_type: str, aggregate_id: str) -> QuerySet[OutboxEvent]:
    return OutboxEvent.objects.filter(
        aggregate_type=aggregate_type, aggregate_id=str(aggregate_id)
    ).order_by("sequence", "created_at")
