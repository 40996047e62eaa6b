"""Per endpoint, the events of one aggregate arrive in order, whatever the ERP does: a real
HTTP server on 127.0.0.1 that fails on purpose (500s, timeouts, slow answers, 429)."""

import random
from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations import tasks
from integrations.endpoints import resume_endpoint
from integrations.events import EventSpec
from integrations.models import Delivery
from integrations.services import record_event, record_events
from tests.erp_receiver import Reply
from tests.webhook_schemas import assert_matches_schema


def make_all_due() -> None:
    """Move time past every scheduled retry instead of sleeping."""
    Delivery.objects.filter(state__in=Delivery.RETRYABLE_STATES).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def stock_event(sku: str, sequence: int) -> EventSpec:
    data = {
        "api_version": "2026-12-01", "sequence": sequence, "sku": sku, "warehouse": "MAIN",
        "quantity_on_hand": 100 + sequence, "quantity_allocated": sequence, "quantity_available": 100,
        "reason": "adjusted",
    }
    return EventSpec("stock.updated", "stock", f"{sku}@MAIN", sequence, data)


def received_by_aggregate(receiver) -> dict[str, list[int]]:
    """Sequences per aggregate in the order the ERP received them (duplicates included)."""
    seen = defaultdict(list)
    for request in receiver.requests:
        data = request.json()["data"]
        seen[data["sku"]].append(data["sequence"])
    return seen


@pytest.mark.django_db
def test_a_later_event_waits_while_an_earlier_one_of_its_aggregate_is_retrying(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    receiver.answer(500)  # the first POST fails, then everything succeeds
    with django_capture_on_commit_callbacks(execute=True):
        first = record_events([stock_event("85123A", 1)])[0]
    with django_capture_on_commit_callbacks(execute=True):
        second, other = record_events([stock_event("85123A", 2), stock_event("22423", 1)])
    # 85123A #2 was not sent (it waits behind #1); 22423 is another aggregate and went out
    assert [(r.json()["data"]["sku"], r.json()["data"]["sequence"]) for r in receiver.requests] == [
        ("85123A", 1), ("22423", 1),
    ]
    waiting = Delivery.objects.get(event=second)
    assert waiting.state == Delivery.State.PENDING and waiting.attempt_count == 0
    assert tasks.sweep(in_process=True) == 0  # the sweeper does not pick it either: not first in line

    make_all_due()
    assert tasks.sweep(in_process=True) == 1  # #1 is retried, then #2 follows at once
    assert received_by_aggregate(receiver)["85123A"] == [1, 1, 2]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert Delivery.objects.get(event=first).attempt_count == 2


@pytest.mark.django_db
def test_a_dead_letter_does_not_hold_back_its_aggregate_for_ever(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    receiver.answer(422)  # the ERP refuses #1: dead at once
    with django_capture_on_commit_callbacks(execute=True):
        record_events([stock_event("85123A", 1), stock_event("85123A", 2)])
    assert received_by_aggregate(receiver)["85123A"] == [1, 2]  # the gap in sequence is the ERP's hint
    assert sorted(Delivery.objects.values_list("state", flat=True)) == ["dead", "delivered"]


@pytest.mark.django_db
def test_when_the_endpoint_fails_the_rest_of_the_batch_is_not_sent(
    receiver, endpoint, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.answer(Reply(200, delay=1.0))  # a timeout
    with django_capture_on_commit_callbacks(execute=True):
        record_events([stock_event(f"SKU{i}", 1) for i in range(5)])
    assert len(receiver.requests) == 1  # one timeout per batch, not one per event
    rows = list(Delivery.objects.order_by("id"))
    assert rows[0].state == "failed" and rows[0].attempt_count == 1
    for row in rows[1:]:  # handed back unattempted, due with the failed one
        assert row.state == "pending" and row.attempt_count == 0 and row.attempts.count() == 0
        assert abs((row.next_attempt_at - rows[0].next_attempt_at).total_seconds()) < 15
    make_all_due()
    tasks.sweep(in_process=True)
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}


@pytest.mark.django_db
def test_every_event_arrives_in_order_per_aggregate_despite_a_failing_erp(receiver, endpoint, settings):
    """200 events of 8 SKUs, written in 40 transactions, to an ERP that answers 500, 503,
    429 with Retry-After, too slowly (timeouts), slowly but in time, or 200, at random."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.4
    rng = random.Random(20261203)
    skus = [f"SKU{n}" for n in range(8)]
    next_sequence = dict.fromkeys(skus, 1)
    choices = [
        Reply(500, b"boom"), Reply(503), Reply(429, headers={"Retry-After": "1"}),
        Reply(200, delay=0.6), Reply(200, delay=0.05),
    ]
    receiver.answer(*[rng.choice(choices) if rng.random() < 0.35 else Reply(200) for _ in range(600)])
    written = []
    for _ in range(40):
        batch = []
        for sku in rng.sample(skus, 5):
            batch.append(stock_event(sku, next_sequence[sku]))
            next_sequence[sku] += 1
        written += record_events(batch)  # autocommit: each call is its own transaction
        tasks.sweep(in_process=True)  # a worker running alongside
    for _ in range(200):
        if not Delivery.objects.exclude(state="delivered").exists():
            break
        make_all_due()
        tasks.sweep(in_process=True)
    assert not Delivery.objects.exclude(state="delivered").exists()

    # every event arrived; after de-duplication by id each once; in order per aggregate
    received_ids = [r.json()["id"] for r in receiver.requests]
    assert len(received_ids) > len(written)  # there were retries (timeouts arrive twice)
    assert set(received_ids) == {str(e.id) for e in written}
    for sku, sequences in received_by_aggregate(receiver).items():
        assert sequences == sorted(sequences), sku  # never an older one after a newer one
        assert sorted(set(sequences)) == list(range(1, next_sequence[sku]))
    for request in receiver.requests[:20]:
        assert_matches_schema("stock.updated", request.json())


@pytest.mark.django_db
def test_endpoint_is_paused_after_failing_and_resuming_sends_in_order(
    receiver, endpoint, settings, admin_client, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 3
    receiver.default = Reply(503)
    with django_capture_on_commit_callbacks(execute=True):
        record_event("stock.updated", "stock", "A@MAIN", 1, stock_event("A", 1).data)
    for _ in range(4):
        make_all_due()
        tasks.sweep(in_process=True)
    endpoint.refresh_from_db()
    assert endpoint.paused_at is not None and endpoint.consecutive_failures == 3
    assert len(receiver.requests) == 3  # nothing is sent once paused

    with django_capture_on_commit_callbacks(execute=True):
        record_events([stock_event("A", 2), stock_event("A", 3), stock_event("B", 1)])
    make_all_due()
    assert tasks.sweep(in_process=True) == 0
    assert len(receiver.requests) == 3  # new events wait too

    page = admin_client.get("/admin/integrations/webhookendpoint/").content.decode()
    assert "is paused" in page and "4 deliveries wait" in page

    receiver.default = Reply(200)
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_endpoint(endpoint) == 4
    assert received_by_aggregate(receiver) == {"A": [1, 1, 1, 1, 2, 3], "B": [1]}
    endpoint.refresh_from_db()
    assert endpoint.paused_at is None and endpoint.consecutive_failures == 0
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
