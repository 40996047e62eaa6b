"""End to end over real HTTP: record in a transaction, dispatch on commit, sign, retry."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from integrations import dispatch, signing, tasks
from integrations.delivery import deliver
from integrations.events import EventSpec
from integrations.models import Delivery, DeliveryAttempt, OutboxEvent
from integrations.services import record_event, record_events, retry_deliveries
from tests.erp_receiver import Receiver, Reply


def make_due(delivery: Delivery) -> None:
    """Move time forward for one delivery instead of sleeping."""
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def record_order(example_data, number="DM00000123", sequence=1):
    data = example_data("order.confirmed")
    data["order"]["number"] = number
    data["sequence"] = sequence
    return record_event("order.confirmed", "order", number, sequence, data)


@pytest.mark.django_db
def test_delivered_on_commit_signed_and_valid(
    receiver, endpoint, example_data, schema_validators, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            event = record_order(example_data)
            stock = record_event(
                "stock.updated", "stock", "85123A@MAIN", 7, example_data("stock.updated")
            )
            assert receiver.requests == []  # nothing leaves before commit
    assert len(callbacks) == 2
    assert len(receiver.requests) == 2

    order_request, stock_request = receiver.requests
    assert order_request.path == "/hooks/erp"
    headers = order_request.headers
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "DealerMall-Webhooks/1"
    assert headers["x-mall-event"] == "order.confirmed"
    assert headers["x-mall-event-id"] == str(event.id)
    assert signing.verify(endpoint.secret, order_request.body, headers["x-mall-signature"])
    # compact JSON, the whole envelope
    assert order_request.body == json.dumps(order_request.json(), separators=(",", ":"), ensure_ascii=False).encode()
    payload = order_request.json()
    assert set(payload) == {"id", "type", "created", "data"}
    assert payload["id"] == str(event.id) and payload["type"] == "order.confirmed"
    assert payload["created"].endswith("Z")
    assert payload["data"]["order"]["lines"][0]["line_total"] == "13.80"
    schema_validators["order.confirmed"].validate(payload)

    assert stock_request.headers["x-mall-event-id"] == str(stock.id)
    assert signing.verify(
        endpoint.secret, stock_request.body, stock_request.headers["x-mall-signature"]
    )
    schema_validators["stock.updated"].validate(stock_request.json())

    delivery = Delivery.objects.get(event=event)
    assert delivery.state == Delivery.State.DELIVERED
    assert delivery.attempt_count == 1
    assert delivery.last_status_code == 200
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    attempt = delivery.attempts.get()
    assert (
        attempt.status_code == 200
        and attempt.response_excerpt == '{"ok":true}'
        and attempt.error == ""
    )


@pytest.mark.django_db
def test_decimal_amounts_are_sent_as_exact_strings(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    with django_capture_on_commit_callbacks(execute=True):
        record_event("stock.updated", "stock", "X@MAIN", 1, {"amount": Decimal("13.80")})
    assert receiver.requests[0].json()["data"] == {"amount": "13.80"}


@pytest.mark.django_db(transaction=True)
def test_rollback_sends_nothing_and_leaves_no_outbox_row(receiver, endpoint, example_data):
    class Boom(Exception):
        """The caller's transaction fails after recording the event."""

    with pytest.raises(Boom):
        with transaction.atomic():
            record_order(example_data)
            raise Boom
    assert OutboxEvent.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert receiver.requests == []

    # and the same path does send on a real commit (on_commit fires for real here)
    with transaction.atomic():
        record_order(example_data, number="DM00000124")
    assert len(receiver.requests) == 1
    assert receiver.requests[0].json()["data"]["order"]["number"] == "DM00000124"


@pytest.mark.django_db
def test_500_is_retried_with_backoff_then_delivered_by_the_sweep(
    receiver, endpoint, example_data, django_capture_on_commit_callbacks
):
    receiver.answer(Reply(500, b"database is down"))
    with django_capture_on_commit_callbacks(execute=True):
        event = record_order(example_data)
    delivery = Delivery.objects.get(event=event)
    assert delivery.state == Delivery.State.FAILED
    assert delivery.attempt_count == 1 and delivery.last_status_code == 500
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 30 * 0.8 - 2 <= wait <= 30 * 1.2
    attempt = delivery.attempts.get()
    assert attempt.status_code == 500 and attempt.response_excerpt == "database is down"
    assert attempt.error == "HTTP 500"

    assert tasks.sweep(in_process=True) == 0  # not due yet
    assert len(receiver.requests) == 1

    make_due(delivery)
    assert tasks.sweep(in_process=True) == 1
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED and delivery.attempt_count == 2
    assert len(receiver.requests) == 2
    first, second = receiver.requests
    assert first.body == second.body  # same event, same bytes
    assert first.headers["x-mall-event-id"] == second.headers["x-mall-event-id"] == str(event.id)
    assert second.headers["x-mall-delivery-attempt"] == "2"
    assert list(delivery.attempts.values_list("status_code", flat=True)) == [500, 200]

    assert tasks.sweep(in_process=True) == 0
    assert len(receiver.requests) == 2


@pytest.mark.django_db
def test_410_goes_dead_at_once(
    receiver, endpoint, example_data, django_capture_on_commit_callbacks
):
    receiver.answer(410)
    with django_capture_on_commit_callbacks(execute=True):
        event = record_order(example_data)
    delivery = Delivery.objects.get(event=event)
    assert delivery.state == Delivery.State.DEAD
    assert delivery.next_attempt_at is None and delivery.last_status_code == 410
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    assert tasks.sweep(in_process=True) == 0
    assert deliver(delivery.pk).result == "skipped"
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_connection_refused_is_retryable(
    endpoint_factory, refused_url, django_capture_on_commit_callbacks
):
    endpoint_factory(url=refused_url)
    with django_capture_on_commit_callbacks(execute=True):
        event = record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X"})
    delivery = Delivery.objects.get(event=event)
    assert delivery.state == Delivery.State.FAILED
    assert delivery.last_status_code is None and delivery.next_attempt_at > timezone.now()
    attempt = delivery.attempts.get()
    assert attempt.status_code is None and "ConnectionError" in attempt.error


@pytest.mark.django_db
def test_timeout_is_retryable(receiver, endpoint, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.answer(Reply(200, delay=1.0))
    with django_capture_on_commit_callbacks(execute=True):
        event = record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X"})
    delivery = Delivery.objects.get(event=event)
    assert delivery.state == Delivery.State.FAILED
    assert "timeout" in delivery.attempts.get().error


@pytest.mark.django_db
def test_429_honours_retry_after(receiver, endpoint, django_capture_on_commit_callbacks):
    receiver.answer(Reply(429, headers={"Retry-After": "120"}))
    with django_capture_on_commit_callbacks(execute=True):
        event = record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X"})
    delivery = Delivery.objects.get(event=event)
    assert delivery.state == Delivery.State.FAILED
    assert 115 <= (delivery.next_attempt_at - timezone.now()).total_seconds() <= 120


@pytest.mark.django_db
def test_dead_after_max_age(receiver, endpoint, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_AGE_SECONDS = 3600
    receiver.default = Reply(503)
    with django_capture_on_commit_callbacks(execute=True):
        event = record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X"})
    delivery = Delivery.objects.get(event=event)
    first = delivery.attempts.get().attempted_at
    assert delivery.state == Delivery.State.FAILED
    assert abs((delivery.give_up_at - first).total_seconds() - 3600) < 1  # first failure + 1 h
    make_due(delivery)
    tasks.sweep(in_process=True)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED and delivery.attempt_count == 2
    # an hour later: the retry finds the age exceeded and dead-letters it
    Delivery.objects.filter(pk=delivery.pk).update(give_up_at=timezone.now() - timedelta(seconds=1))
    make_due(delivery)
    tasks.sweep(in_process=True)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DEAD and delivery.attempt_count == 3
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 3
    assert len(receiver.requests) == 3

    # "retry now" from the admin gives a dead delivery a fresh schedule
    receiver.default = Reply(200)
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_deliveries([delivery.pk]) == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED and delivery.attempt_count == 1
    assert delivery.give_up_at is None
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 4


def test_a_retry_is_never_scheduled_after_the_give_up_time(db, receiver, endpoint, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_AGE_SECONDS = 5  # shorter than the first backoff (30 s)
    receiver.default = Reply(500)
    with django_capture_on_commit_callbacks(execute=True):
        event = record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X"})
    delivery = Delivery.objects.get(event=event)
    assert delivery.state == Delivery.State.FAILED
    assert delivery.next_attempt_at == delivery.give_up_at  # one last try at the deadline


@pytest.mark.django_db
def test_special_character_secret_signs_exactly(
    receiver, endpoint_factory, django_capture_on_commit_callbacks
):
    secret = "a$b\\c'\"%"
    endpoint_factory(url=receiver.url, secret=secret)
    with django_capture_on_commit_callbacks(execute=True):
        record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X", "name": "Crème brûlée"})
    request = receiver.requests[0]
    header = request.headers["x-mall-signature"]
    timestamp, (signature,) = signing.parse_header(header)
    assert abs(timestamp - time.time()) < 60
    expected = hmac.new(
        secret.encode("utf-8"), f"{timestamp}.".encode() + request.body, hashlib.sha256
    ).hexdigest()
    assert signature == expected
    assert signing.verify(secret, request.body, header)
    assert not signing.verify("a$b\\c'%", request.body, header)
    assert json.loads(request.body.decode("utf-8"))["data"]["name"] == "Crème brûlée"


@pytest.mark.django_db
def test_sweep_delivers_a_delivery_whose_dispatch_was_lost(receiver, endpoint):
    # no on_commit callbacks run in this test: as if the broker message were lost
    event = record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X"})
    assert receiver.requests == []
    assert tasks.sweep_deliveries() == 1  # no broker: in-process
    assert Delivery.objects.get(event=event).state == Delivery.State.DELIVERED
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_inactive_endpoint_pauses_its_deliveries(receiver, endpoint):
    event = record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X"})
    endpoint.is_active = False
    endpoint.save()
    assert tasks.sweep(in_process=True) == 0
    assert deliver(Delivery.objects.get(event=event).pk).result == "skipped"
    endpoint.is_active = True
    endpoint.save()
    assert tasks.sweep(in_process=True) == 1
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_with_a_broker_dispatch_enqueues_and_an_enqueue_failure_does_not_raise(
    endpoint, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    enqueued = []
    monkeypatch.setattr(
        dispatch.celery_app, "send_task", lambda name, args, countdown=None, **kw: enqueued.append((name, args[0]))
    )
    with django_capture_on_commit_callbacks(execute=True):
        rows = record_events(
            [EventSpec("stock.updated", "stock", f"S{i}@MAIN", 1, {}) for i in range(3)]
        )
    # One task for the whole transaction, its deliveries in the order the events were written.
    assert enqueued == [
        ("integrations.tasks.deliver_webhooks", list(Delivery.objects.filter(event__in=rows).order_by("id").values_list("id", flat=True)))
    ]

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(dispatch.celery_app, "send_task", broken)
    with django_capture_on_commit_callbacks(execute=True):
        event = record_event("stock.updated", "stock", "Y@MAIN", 1, {})  # must not raise
    assert (
        Delivery.objects.get(event=event).state == Delivery.State.PENDING
    )  # the sweep will send it


@pytest.mark.django_db
def test_task_schedules_its_retry_at_next_attempt(receiver, endpoint, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    scheduled = []
    monkeypatch.setattr(
        dispatch.celery_app, "send_task", lambda name, args, countdown=None, **kw: scheduled.append((args, countdown))
    )
    receiver.answer(500)
    event = record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X"})
    delivery = Delivery.objects.get(event=event)
    assert tasks.deliver_webhooks([delivery.pk]) == 1
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED
    ((args, countdown),) = scheduled
    assert args == ([delivery.pk],)
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert abs(countdown - 1 - wait) < 2
    # running the task again early is a no-op (idempotent)
    assert tasks.deliver_webhooks([delivery.pk]) == 0
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_batches_to_one_endpoint_reuse_one_kept_alive_connection(endpoint_factory, django_capture_on_commit_callbacks):
    erp = Receiver(keep_alive=True).start()
    try:
        endpoint_factory(url=erp.url, event_types=["stock.updated"])
        for batch in range(3):  # three transactions: three batches, three claims
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                for n in range(2):
                    record_event("stock.updated", "stock", f"K{batch}{n}@MAIN", 1, {"sku": f"K{batch}{n}"})
    finally:
        erp.stop()
    assert len(erp.requests) == 6
    assert len({r.peer for r in erp.requests}) == 1  # one TCP connection for all six POSTs
