import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

from integrations.models import Delivery, WebhookEndpoint
from integrations.services import record_event


@pytest.mark.django_db
def test_add_webhook_prints_the_endpoint_id(capsys):
    call_command(
        "add_webhook",
        "https://erp.example.com/hooks",
        "--secret",
        "a$b\\c'\"%",
        "--events",
        "order.confirmed, stock.updated",
        "--description",
        "ERP production",
    )
    out = capsys.readouterr().out.strip()
    endpoint = WebhookEndpoint.objects.get()
    assert out == str(endpoint.pk)
    assert endpoint.secret == "a$b\\c'\"%"
    assert endpoint.event_types == ["order.confirmed", "stock.updated"]
    assert endpoint.description == "ERP production"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args,message",
    [
        (["https://erp.example.com/h", "--secret", "", "--events", "order.confirmed"], "secret: "),
        (
            ["https://erp.example.com/h", "--secret", "s", "--events", "order.shipped"],
            "Unknown event type 'order.shipped'",
        ),
        (["nope", "--secret", "s", "--events", "*"], "url: "),
    ],
)
def test_add_webhook_bad_input_exits_non_zero_with_a_message(args, message, capsys):
    with pytest.raises(CommandError, match=message):
        call_command("add_webhook", *args)
    assert not WebhookEndpoint.objects.exists()

    # as from a shell: a message on stderr, a non-zero exit status, no traceback
    # (last: run_from_argv closes the database connections when it ends)
    with pytest.raises(SystemExit) as excinfo:
        execute_from_command_line(["manage.py", "add_webhook", *args])
    assert excinfo.value.code not in (0, None)
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.django_db
def test_deliver_webhooks_runs_the_sweep_once(receiver, endpoint, capsys):
    event = record_event("stock.updated", "stock", "X@MAIN", 1, {"sku": "X"})
    call_command("deliver_webhooks")
    assert "1 due deliveries processed" in capsys.readouterr().out
    assert Delivery.objects.get(event=event).state == Delivery.State.DELIVERED
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_deliver_webhooks_loop_stops_cleanly_on_ctrl_c(monkeypatch, capsys):
    calls = []

    def fake_sweep(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return 0

    monkeypatch.setattr("integrations.management.commands.deliver_webhooks.sweep", fake_sweep)
    call_command("deliver_webhooks", "--loop", "--interval", "0.01")
    assert len(calls) == 2 and calls[0]["in_process"] is True
    assert "Stopped." in capsys.readouterr().out
