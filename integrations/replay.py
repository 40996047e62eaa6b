"""Replay: send events again (one, a time range, all dead letters), to one or every endpoint.

A replayed delivery is made due now with a fresh retry age; its earlier attempts stay in the
log. Delivered ones are sent again too (the receiver de-duplicates on the event id), and a
replayed old event is delivered before the open events of its aggregate that follow it.
"""

from collections.abc import Iterable
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .dispatch import dispatch
from .models import Delivery


def replay(deliveries: QuerySet[Delivery]) -> list[int]:
    """Reschedule the deliveries now and dispatch them after commit; returns their ids."""
    now = timezone.now()
    with transaction.atomic():
        # lock in id order: two staff replaying overlapping sets cannot deadlock
        ids = list(deliveries.select_for_update().order_by("id").values_list("id", flat=True))
        if not ids:
            return []
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            Delivery.objects.filter(pk__in=chunk, state=Delivery.State.DEAD).update(attempt_count=0)
            Delivery.objects.filter(pk__in=chunk).update(
                state=Delivery.State.PENDING, next_attempt_at=now, give_up_at=None, delivered_at=None
            )
        first = ids[: settings.WEBHOOK_DISPATCH_LIMIT]  # the sweeper takes the rest
        transaction.on_commit(partial(dispatch, first), robust=True)
    return ids


def replay_event(event_id, endpoint_id: int | None = None) -> list[int]:
    rows = Delivery.objects.filter(event_id=event_id)
    if endpoint_id is not None:
        rows = rows.filter(endpoint_id=endpoint_id)
    return replay(rows)


def replay_range(
    since: datetime, until: datetime, *, endpoint_id: int | None = None, event_types: Iterable[str] = ()
) -> list[int]:
    """Every delivery of events recorded in [since, until)."""
    rows = Delivery.objects.filter(event__created_at__gte=since, event__created_at__lt=until)
    if endpoint_id is not None:
        rows = rows.filter(endpoint_id=endpoint_id)
    types = list(event_types)
    if types:
        rows = rows.filter(event__event_type__in=types)
    return replay(rows)


def replay_dead_letters(endpoint_id: int | None = None) -> list[int]:
    rows = Delivery.objects.filter(state=Delivery.State.DEAD)
    if endpoint_id is not None:
        rows = rows.filter(endpoint_id=endpoint_id)
    return replay(rows)
