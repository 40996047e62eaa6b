import pytest
from django.urls import reverse

from integrations.models import Delivery, OutboxEvent, WebhookEndpoint
from integrations.services import record_event


@pytest.mark.django_db
def test_admin_pages_render_and_mask_the_secret(admin_client, endpoint_factory):
    endpoint_factory(url="https://erp.example.com/hooks", secret="whsec_supersecretvalue")
    event = record_event("stock.updated", "stock", "85123A@MAIN", 3, {"sku": "85123A"})
    delivery = Delivery.objects.get()
    pages = [
        reverse("admin:integrations_webhookendpoint_changelist"),
        reverse("admin:integrations_webhookendpoint_add"),
        reverse("admin:integrations_outboxevent_changelist") + "?q=85123A@MAIN",
        reverse("admin:integrations_outboxevent_change", args=[event.pk]),
        reverse("admin:integrations_delivery_changelist"),
        reverse("admin:integrations_delivery_change", args=[delivery.pk]),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    listing = admin_client.get(pages[0]).content.decode()
    assert "whsec_supersecretvalue" not in listing
    assert "whs…ue" in listing


@pytest.mark.django_db
def test_admin_add_endpoint_validates(admin_client):
    url = reverse("admin:integrations_webhookendpoint_add")
    response = admin_client.post(
        url,
        {
            "url": "https://erp.example.com/h",
            "secret": "",
            "event_types": ["order.confirmed"],
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and not WebhookEndpoint.objects.exists()
    response = admin_client.post(
        url,
        {
            "url": "https://erp.example.com/h",
            "secret": " s p ",
            "event_types": ["order.confirmed"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().secret == " s p "


@pytest.mark.django_db
def test_admin_retry_now_action(
    admin_client, receiver, endpoint, django_capture_on_commit_callbacks
):
    receiver.answer(410)
    with django_capture_on_commit_callbacks(execute=True):
        record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X"})
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.DEAD
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:integrations_delivery_changelist"),
            {"action": "retry_now", "_selected_action": [delivery.pk]},
        )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert OutboxEvent.objects.count() == 1
