"""`python manage.py webhooks <list|dead-letters|replay|test|pause|resume|rotate-secret>`:
the back office's webhook operations from a shell. add_webhook and deliver_webhooks remain."""

import sys
from datetime import UTC, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware

from integrations import replay, selectors
from integrations.endpoints import pause_endpoint, resume_endpoint, rotate_secret, send_test_event
from integrations.models import Delivery, WebhookEndpoint
from integrations.validation import WebhookConfigError


def _when(value: str):
    parsed = parse_datetime(value) if value else None
    if parsed is None:
        raise CommandError(f"{value!r} is not a date-time; write e.g. 2026-12-01T08:00:00 (UTC).")
    return make_aware(parsed, UTC) if is_naive(parsed) else parsed


class Command(BaseCommand):
    help = "Webhook operations: list endpoints, list dead letters, replay, send a test event, pause, resume, rotate a secret."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Endpoints with their state and delivery counts.")
        dead = sub.add_parser("dead-letters", help="Dead deliveries, newest first.")
        dead.add_argument("--endpoint", type=int)
        dead.add_argument("--limit", type=int, default=50)
        rep = sub.add_parser("replay", help="Send events again: --event ID, --since/--until, or --dead.")
        what = rep.add_mutually_exclusive_group(required=True)
        what.add_argument("--event", help="An event id (UUID).")
        what.add_argument("--since", help="Start of a time range (UTC, inclusive); needs --until.")
        what.add_argument("--dead", action="store_true", help="Every dead letter.")
        rep.add_argument("--until", help="End of the time range (UTC, exclusive).")
        rep.add_argument("--type", action="append", default=[], dest="types", help="Only this event type (repeatable).")
        rep.add_argument("--endpoint", type=int, help="Only to this endpoint id.")
        test = sub.add_parser("test", help="Send a webhook.test event to an endpoint.")
        test.add_argument("endpoint", type=int)
        for name in ("pause", "resume"):
            sub.add_parser(name, help=f"{name.capitalize()} sending to an endpoint.").add_argument("endpoint", type=int)
        rot = sub.add_parser("rotate-secret", help="New signing secret (read from stdin); the old one stays valid for --window-hours.")
        rot.add_argument("endpoint", type=int)
        rot.add_argument("--window-hours", type=float, default=24.0)

    def handle(self, *args, **options):
        action = options["action"].replace("-", "_")
        return getattr(self, f"do_{action}")(options)

    def _endpoint(self, pk: int) -> WebhookEndpoint:
        endpoint = WebhookEndpoint.objects.filter(pk=pk).first()
        if endpoint is None:
            raise CommandError(f"No webhook endpoint with id {pk}.")
        return endpoint

    def do_list(self, options):
        for e in selectors.endpoints_with_counts():
            state = "disabled" if not e.is_active else (f"PAUSED ({e.pause_reason})" if e.paused_at else "sending")
            self.stdout.write(
                f"{e.pk}\t{e.url}\t{state}\tdelivered={e.delivered_count} failed={e.failed_count} dead={e.dead_count}\t"
                f"{','.join(e.event_types)}"
            )

    def do_dead_letters(self, options):
        rows = Delivery.objects.filter(state=Delivery.State.DEAD).select_related("event").order_by("-created_at")
        if options["endpoint"]:
            rows = rows.filter(endpoint_id=options["endpoint"])
        for d in rows[: options["limit"]]:
            self.stdout.write(
                f"{d.event_id}\t{d.event.event_type}\t{d.event.aggregate_id}#{d.event.sequence}\t"
                f"endpoint={d.endpoint_id}\tattempts={d.attempt_count}\tlast={d.last_status_code or '-'}"
            )

    def do_replay(self, options):
        if options["event"]:
            ids = replay.replay_event(options["event"], options["endpoint"])
        elif options["dead"]:
            ids = replay.replay_dead_letters(options["endpoint"])
        else:
            if not options["until"]:
                raise CommandError("--since needs --until.")
            since, until = _when(options["since"]), _when(options["until"])
            if since >= until:
                raise CommandError("--since must be before --until.")
            ids = replay.replay_range(since, until, endpoint_id=options["endpoint"], event_types=options["types"])
        self.stdout.write(f"{len(ids)} deliveries scheduled again.")

    def do_test(self, options):
        event = send_test_event(self._endpoint(options["endpoint"]), requested_by="manage.py webhooks test")
        delivery = Delivery.objects.get(event=event)
        answer = delivery.attempts.last()
        outcome = f"HTTP {answer.status_code}" if answer and answer.status_code else (answer.error if answer else "queued")
        self.stdout.write(f"test event {event.id}: {delivery.state} ({outcome})")

    def do_pause(self, options):
        pause_endpoint(self._endpoint(options["endpoint"]), reason="paused from the shell")
        self.stdout.write("paused")

    def do_resume(self, options):
        count = resume_endpoint(self._endpoint(options["endpoint"]))
        self.stdout.write(f"resumed; {count} waiting deliveries are being sent")

    def do_rotate_secret(self, options):
        endpoint = self._endpoint(options["endpoint"])
        secret = sys.stdin.readline().rstrip("\r\n")
        try:
            rotate_secret(endpoint, secret, window=timedelta(hours=options["window_hours"]))
        except WebhookConfigError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        self.stdout.write(f"rotated; the old secret stays valid for {options['window_hours']:g} h")
