"""Drains (integrations/drain.py): with a broker, one task per shard sends batch after batch;
a Redis key per shard (a real Redis on 127.0.0.1) keeps commits from publishing a task each.
The tasks run here, in this process; what would be published to the broker is noted."""

import pytest
import redis
from django.db import transaction

from integrations import dispatch, drain, tasks
from integrations.events import EventSpec
from integrations.models import Delivery
from integrations.services import record_events
from tests.erp_receiver import Receiver, Reply

REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def keys(settings):
    """Drains on: a broker URL (nothing is published for real, see `published`) whose Redis
    keeps the drain keys."""
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.WEBHOOK_DRAIN_SHARDS = 2
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def published(monkeypatch):
    sent = []
    for module in (dispatch, drain):
        monkeypatch.setattr(
            module.celery_app, "send_task", lambda name, args, countdown=None, **kw: sent.append((name, tuple(args), countdown))
        )
    return sent


def stock(sku: str, sequence: int) -> EventSpec:
    return EventSpec("stock.updated", "stock", f"{sku}@MAIN", sequence, {"sku": sku, "sequence": sequence})


def commit(django_capture_on_commit_callbacks, specs):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        return record_events(specs)


def sequences_by_sku(receiver) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = {}
    for request in receiver.requests:
        data = request.json()["data"]
        seen.setdefault(data["sku"], []).append(data["sequence"])
    return seen


@pytest.mark.django_db
def test_a_backlog_costs_one_task_per_shard_and_each_drain_sends_all_of_its_shard_in_order(
    keys, published, endpoint_factory, django_capture_on_commit_callbacks
):
    erp = Receiver(keep_alive=True).start()
    try:
        endpoint_factory(url=erp.url, event_types=["stock.updated"])
        # 30 transactions of 4 events over 12 SKUs: SKU n gets sequences 1..10
        for round_ in range(30):
            commit(django_capture_on_commit_callbacks, [stock(f"S{(round_ * 4 + i) % 12}", (round_ * 4 + i) // 12 + 1) for i in range(4)])
        # the first commit scheduled a drain for each shard; the other 29 published nothing
        assert published == [(drain.DRAIN_TASK, (0,), None), (drain.DRAIN_TASK, (1,), None)]
        assert keys.exists(f"{drain.KEY_PREFIX}0", f"{drain.KEY_PREFIX}1") == 2
        assert erp.requests == []

        # the workers run the two drains
        assert tasks.drain_webhooks(0) + tasks.drain_webhooks(1) == 120
    finally:
        erp.stop()
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert sequences_by_sku(erp) == {f"S{n}": list(range(1, 11)) for n in range(12)}
    assert len({r.json()["id"] for r in erp.requests}) == 120  # each once
    # both drains found nothing more and gave their keys back: the next commit schedules again
    assert keys.exists(f"{drain.KEY_PREFIX}0", f"{drain.KEY_PREFIX}1") == 0
    published.clear()
    commit(django_capture_on_commit_callbacks, [stock("S0", 11)])
    assert [args for _, args, _ in published] == [(0,), (1,)]


@pytest.mark.django_db
def test_a_drain_sends_different_aggregates_side_by_side_and_each_one_in_order(
    keys, published, endpoint_factory, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DRAIN_SHARDS = 1
    settings.WEBHOOK_SEND_CONCURRENCY = 4
    erp = Receiver(keep_alive=True).start()
    try:
        endpoint_factory(url=erp.url, event_types=["stock.updated"])
        commit(django_capture_on_commit_callbacks, [stock(f"P{n % 8}", n // 8 + 1) for n in range(40)])
        erp.default = Reply(200, delay=0.02)
        outcomes = drain.drain(0)
    finally:
        erp.stop()
    assert [o.result for o in outcomes] == ["delivered"] * 40
    assert sequences_by_sku(erp) == {f"P{n}": [1, 2, 3, 4, 5] for n in range(8)}
    # four keep-alive connections, one per lane, each carrying whole aggregates
    assert len({r.peer for r in erp.requests}) == 4
    lanes = {}
    for request in erp.requests:
        lanes.setdefault(request.json()["data"]["sku"], set()).add(request.peer)
    assert all(len(peers) == 1 for peers in lanes.values())


@pytest.mark.django_db
def test_a_failing_endpoint_costs_one_attempt_per_drain_and_its_retry_is_scheduled(
    keys, published, endpoint_factory, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DRAIN_SHARDS = 1
    settings.WEBHOOK_SEND_CONCURRENCY = 1
    erp = Receiver(keep_alive=True).start()
    try:
        endpoint_factory(url=erp.url, event_types=["stock.updated"])
        commit(django_capture_on_commit_callbacks, [stock(f"F{n}", 1) for n in range(5)])
        erp.default = Reply(503)
        published.clear()
        assert tasks.drain_webhooks(0) == 5  # one failed, four handed back unsent
    finally:
        erp.stop()
    assert len(erp.requests) == 1
    states = sorted(Delivery.objects.values_list("state", "attempt_count"))
    assert states == [("failed", 1)] + [("pending", 0)] * 4
    # a task at each retry time; the drain left the endpoint alone and gave its key back
    assert [name for name, _, _ in published] == ["integrations.tasks.deliver_webhooks"] * 5
    assert all(countdown > 20 for _, _, countdown in published)
    assert not keys.exists(f"{drain.KEY_PREFIX}0")


@pytest.mark.django_db
def test_a_drain_key_left_by_a_dead_worker_holds_nothing_back_from_the_sweeper(
    keys, published, endpoint_factory, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DRAIN_SHARDS = 1
    erp = Receiver().start()
    try:
        endpoint_factory(url=erp.url, event_types=["stock.updated"])
        keys.set(f"{drain.KEY_PREFIX}0", "1", ex=600)  # its drain died: no task will come
        rows = commit(django_capture_on_commit_callbacks, [stock("D1", 1), stock("D2", 1)])
        assert published == []  # the commit saw "scheduled"
        # beat's sweep hands the due deliveries to the workers by id, as without drains
        assert tasks.sweep() == 2
        ((name, (ids,), _),) = published
        assert name == "integrations.tasks.deliver_webhooks"
        assert sorted(ids) == sorted(Delivery.objects.filter(event__in=rows).values_list("id", flat=True))
        tasks.deliver_webhooks(ids)
    finally:
        erp.stop()
    assert sorted(r.json()["data"]["sku"] for r in erp.requests) == ["D1", "D2"]


@pytest.mark.django_db
def test_without_the_drain_keys_each_transaction_gets_its_task(endpoint_factory, settings, published, django_capture_on_commit_callbacks):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens: the keys are unreachable
    endpoint_factory(event_types=["stock.updated"])
    rows = commit(django_capture_on_commit_callbacks, [stock("U1", 1)])
    assert published == [("integrations.tasks.deliver_webhooks", (list(Delivery.objects.filter(event__in=rows).values_list("id", flat=True)),), None)]
