import sys

from django.core.management.base import BaseCommand, CommandError

from integrations.events import ALL_EVENTS, EVENT_TYPES
from integrations.services import WebhookConfigError, add_endpoint


class Command(BaseCommand):
    help = (
        "Register a webhook endpoint. Prints its id. "
        f"Event types: {', '.join(sorted(EVENT_TYPES))}, or {ALL_EVENTS!r} for all."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", help="The endpoint URL (http or https).")
        parser.add_argument(
            "--secret",
            required=True,
            help='The signing secret, stored exactly as given; "-" reads it from stdin.',
        )
        parser.add_argument(
            "--events",
            required=True,
            help="Comma-separated event types, e.g. order.confirmed,stock.updated",
        )
        parser.add_argument("--description", default="")

    def handle(self, *args, **options):
        secret = options["secret"]
        if secret == "-":
            secret = sys.stdin.readline().rstrip("\r\n")
        event_types = [item.strip() for item in options["events"].split(",") if item.strip()]
        try:
            endpoint = add_endpoint(
                options["url"], secret, event_types, description=options["description"]
            )
        except WebhookConfigError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        self.stdout.write(str(endpoint.pk))
