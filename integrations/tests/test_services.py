import pytest

from integrations.events import API_VERSION, EventSpec
from integrations.models import Delivery, OutboxEvent
from integrations.services import WebhookConfigError, add_endpoint, record_event, record_events


def stock_spec(n: int, sequence: int = 1) -> EventSpec:
    data = {
        "api_version": API_VERSION,
        "sequence": sequence,
        "sku": f"SKU{n}",
        "warehouse": "MAIN",
        "quantity_on_hand": 10,
        "quantity_allocated": 0,
        "quantity_available": 10,
        "reason": "adjusted",
    }
    return EventSpec("stock.updated", "stock", f"SKU{n}@MAIN", sequence, data)


@pytest.mark.django_db
def test_add_endpoint_keeps_secret_exactly_and_dedupes_types():
    secret = " a$b\\c'\"% "
    endpoint = add_endpoint(
        "https://erp.example.com/hooks", secret, ["order.confirmed", "order.confirmed"]
    )
    endpoint.refresh_from_db()
    assert endpoint.secret == secret
    assert endpoint.event_types == ["order.confirmed"]
    assert endpoint.subscribes_to("order.confirmed")
    assert not endpoint.subscribes_to("stock.updated")
    assert add_endpoint("http://erp.local:8080/x", "s", ["*"]).subscribes_to("stock.updated")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url,secret,types,field,code",
    [
        ("https://erp.example.com/h", "", ["order.confirmed"], "secret", "required"),
        ("https://erp.example.com/h", "   ", ["order.confirmed"], "secret", "required"),
        ("not a url", "s", ["order.confirmed"], "url", "invalid"),
        ("ftp://erp.example.com/h", "s", ["order.confirmed"], "url", "invalid"),
        ("https://erp.example.com/" + "x" * 500, "s", ["order.confirmed"], "url", "too_long"),
        ("https://erp.example.com/h", "s", ["order.shipped"], "event_types", "unknown_event_type"),
        ("https://erp.example.com/h", "s", [], "event_types", "required"),
    ],
)
def test_add_endpoint_rejects_bad_input(url, secret, types, field, code):
    with pytest.raises(WebhookConfigError) as excinfo:
        add_endpoint(url, secret, types)
    assert (excinfo.value.field, excinfo.value.code) == (field, code)
    assert excinfo.value.message


@pytest.mark.django_db
def test_record_events_creates_one_delivery_per_subscribed_active_endpoint(endpoint_factory):
    everything = endpoint_factory(event_types=["*"])
    orders_only = endpoint_factory(event_types=["order.confirmed"])
    endpoint_factory(event_types=["*"], is_active=False)
    rows = record_events([stock_spec(1), stock_spec(2)])
    assert [r.aggregate_id for r in rows] == ["SKU1@MAIN", "SKU2@MAIN"]
    assert Delivery.objects.filter(endpoint=everything).count() == 2
    assert not Delivery.objects.filter(endpoint=orders_only).exists()
    assert Delivery.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("n_events", [1, 25])
def test_record_events_query_count_is_constant(
    endpoint_factory, django_assert_num_queries, n_events
):
    endpoint_factory(event_types=["*"])
    endpoint_factory(event_types=["stock.updated"])
    endpoint_factory(event_types=["order.confirmed"])
    specs = [stock_spec(i) for i in range(n_events)]
    # (the test's transaction is the caller's: record_events adds no savepoint of its own)
    with django_assert_num_queries(3):  # endpoints, events, deliveries
        record_events(specs)
    assert OutboxEvent.objects.count() == n_events
    assert Delivery.objects.count() == 2 * n_events


@pytest.mark.django_db
def test_record_events_without_subscribers_stores_events_only(django_assert_num_queries):
    with django_assert_num_queries(2):
        record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X"})
    assert OutboxEvent.objects.count() == 1
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_record_events_rejects_unknown_type():
    with pytest.raises(ValueError):
        record_event("order.exploded", "order", "1", 1, {})
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_outbox_events_are_append_only():
    event = record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X"})
    event.sequence = 2
    with pytest.raises(ValueError):
        event.save()
