"""Staff operations over real HTTP: secret rotation, replay, test event, from the back office
and from `manage.py webhooks`."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from integrations import replay, signing
from integrations.endpoints import rotate_secret, send_test_event
from integrations.models import Delivery, OutboxEvent
from integrations.services import WebhookConfigError, record_event
from tests.erp_receiver import Reply
from tests.webhook_schemas import assert_matches_schema

from .conftest import SECRET


def _stock(sku="X", seq=1):
    return record_event("stock.updated", "stock", f"{sku}@MAIN", seq, {"sku": sku, "sequence": seq})


@pytest.mark.django_db
def test_rotation_sends_both_signatures_until_the_window_ends(receiver, endpoint, django_capture_on_commit_callbacks):
    new = "new secret with a trailing space "
    rotate_secret(endpoint, new, window=timedelta(hours=2))
    endpoint.refresh_from_db()
    assert endpoint.secret == new and endpoint.previous_secret == SECRET  # stored exactly as given
    with django_capture_on_commit_callbacks(execute=True):
        _stock()
    request = receiver.requests[-1]
    header = request.headers["x-mall-signature"]
    timestamp, signatures = signing.parse_header(header)
    assert signatures == [
        signing.compute_signature(new, request.body, timestamp),
        signing.compute_signature(SECRET, request.body, timestamp),
    ]
    assert header.startswith(f"t={timestamp},v1=") and header.count("v1=") == 2
    assert signing.verify(new, request.body, header) and signing.verify(SECRET, request.body, header)
    assert not signing.verify("new secret with a trailing space", request.body, header)  # no stripping

    # after the window only the new secret signs
    endpoint.previous_secret_expires_at = timezone.now() - timedelta(seconds=1)
    endpoint.save(update_fields=["previous_secret_expires_at"])
    with django_capture_on_commit_callbacks(execute=True):
        _stock("Y")
    header = receiver.requests[-1].headers["x-mall-signature"]
    assert header.count("v1=") == 1
    assert not signing.verify(SECRET, receiver.requests[-1].body, header)


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["", "   ", None, SECRET])
def test_rotation_refuses_an_empty_or_unchanged_secret(endpoint, bad):
    with pytest.raises(WebhookConfigError):
        rotate_secret(endpoint, bad)
    endpoint.refresh_from_db()
    assert endpoint.secret == SECRET and endpoint.previous_secret == ""


def test_signing_refuses_an_empty_secret():
    with pytest.raises(ValueError):
        signing.sign(["ok", ""], b"{}", 1)


@pytest.mark.django_db
def test_replay_one_event_sends_the_same_id_again(receiver, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = _stock()
    with django_capture_on_commit_callbacks(execute=True):
        assert len(replay.replay_event(event.id)) == 1
    first, second = receiver.requests
    assert first.body == second.body and second.json()["id"] == str(event.id)
    assert Delivery.objects.get().attempts.count() == 2


@pytest.mark.django_db
def test_replay_a_time_range_and_the_dead_letters(receiver, endpoint, django_capture_on_commit_callbacks):
    receiver.answer(400, 400)
    with django_capture_on_commit_callbacks(execute=True):
        old = _stock("OLD")
    OutboxEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        recent = _stock("NEW")
    assert set(Delivery.objects.values_list("state", flat=True)) == {"dead"}
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        ids = replay.replay_range(now - timedelta(days=1), now + timedelta(seconds=1))
    assert ids == [Delivery.objects.get(event=recent).pk]
    assert Delivery.objects.get(event=old).state == "dead"
    with django_capture_on_commit_callbacks(execute=True):
        assert replay.replay_dead_letters() == [Delivery.objects.get(event=old).pk]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}


@pytest.mark.django_db
def test_send_test_event_reaches_only_that_endpoint(receiver, endpoint, endpoint_factory, django_capture_on_commit_callbacks):
    endpoint_factory(url="http://127.0.0.1:9/other", event_types=["*"])
    with django_capture_on_commit_callbacks(execute=True):
        event = send_test_event(endpoint, requested_by="alice")
    (request,) = receiver.requests
    assert request.headers["x-mall-event"] == "webhook.test"
    assert Delivery.objects.filter(event=event).count() == 1
    assert_matches_schema("webhook.test", request.json())
    assert request.json()["data"]["requested_by"] == "alice"


@pytest.mark.django_db
def test_back_office_buttons(admin_client, receiver, endpoint, django_capture_on_commit_callbacks):
    change = reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk])
    page = admin_client.get(change).content.decode()
    assert "Send test event" in page and "Pause" in page and SECRET not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:integrations_webhookendpoint_send_test", args=[endpoint.pk]))
    assert response.status_code == 302 and receiver.requests[-1].headers["x-mall-event"] == "webhook.test"
    assert admin_client.get(reverse("admin:integrations_webhookendpoint_send_test", args=[endpoint.pk])).status_code == 403

    admin_client.post(reverse("admin:integrations_webhookendpoint_pause", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.paused_at is not None
    assert "Resume" in admin_client.get(change).content.decode()
    admin_client.post(reverse("admin:integrations_webhookendpoint_resume", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.paused_at is None

    # rotation from the change form
    response = admin_client.post(change, {
        "url": endpoint.url, "event_types": ["*"], "is_active": "on", "description": "",
        "new_secret": " rotated ", "rotation_window_hours": "1",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint.refresh_from_db()
    assert endpoint.secret == " rotated " and endpoint.previous_secret == SECRET

    # the delivery log lists every attempt; replay range and dead letters from the list
    assert admin_client.get(reverse("admin:integrations_deliveryattempt_changelist")).status_code == 200
    assert "Replay all dead letters" in admin_client.get(reverse("admin:integrations_delivery_changelist")).content.decode()
    assert admin_client.get(reverse("admin:integrations_delivery_replay_range")).status_code == 200
    before = len(receiver.requests)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:integrations_delivery_replay_range"), {
            "since": (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
            "until": (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
        })
    assert response.status_code == 302 and len(receiver.requests) == before + 1


@pytest.mark.django_db
def test_webhooks_command(receiver, endpoint, capsys, django_capture_on_commit_callbacks, monkeypatch):
    receiver.answer(404)
    with django_capture_on_commit_callbacks(execute=True):
        event = _stock()
    call_command("webhooks", "list")
    out = capsys.readouterr().out
    assert f"{endpoint.pk}\t{endpoint.url}\tsending\tdelivered=0 failed=0 dead=1" in out
    call_command("webhooks", "dead-letters")
    assert str(event.id) in capsys.readouterr().out
    with django_capture_on_commit_callbacks(execute=True):
        call_command("webhooks", "replay", "--dead")
    assert "1 deliveries scheduled again." in capsys.readouterr().out
    assert Delivery.objects.get().state == "delivered"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("webhooks", "replay", "--event", str(event.id))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("webhooks", "replay", "--since", "2000-01-01T00:00:00", "--until", "2100-01-01T00:00:00", "--type", "stock.updated")
    assert len(receiver.requests) == 4
    with django_capture_on_commit_callbacks(execute=True):
        call_command("webhooks", "test", str(endpoint.pk))
    assert "test event " in capsys.readouterr().out  # run from a shell it also prints the answer
    assert Delivery.objects.get(event__event_type="webhook.test").state == "delivered"
    monkeypatch.setattr("sys.stdin", io.StringIO("fresh secret\n"))
    call_command("webhooks", "rotate-secret", str(endpoint.pk), "--window-hours", "2")
    endpoint.refresh_from_db()
    assert endpoint.secret == "fresh secret"
    with pytest.raises(CommandError, match="No webhook endpoint"):
        call_command("webhooks", "test", "999999")
    with pytest.raises(CommandError, match="--since needs --until"):
        call_command("webhooks", "replay", "--since", "2026-01-01")
    receiver.default = Reply(200)
