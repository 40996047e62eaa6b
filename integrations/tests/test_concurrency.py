import threading

import pytest
from django.db import connection

from integrations.delivery import deliver
from integrations.models import Delivery
from integrations.services import record_event
from tests.erp_receiver import Reply


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_delivery_send_it_once(
    receiver, endpoint_factory, monkeypatch
):
    endpoint_factory(url=receiver.url)
    # record without dispatching, so that only the two workers below send it
    monkeypatch.setattr("integrations.services.dispatch", lambda ids: None)
    event = record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X"})
    delivery_id = Delivery.objects.get(event=event).pk
    receiver.answer(Reply(200, delay=0.5))  # slow receiver: the second worker runs meanwhile

    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=5)
            outcomes.append(deliver(delivery_id).result)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own real connection

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert errors == []
    assert sorted(outcomes) == ["delivered", "skipped"]
    assert len(receiver.requests) == 1
    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.state == Delivery.State.DELIVERED
    assert delivery.attempt_count == 1
    assert delivery.attempts.count() == 1
