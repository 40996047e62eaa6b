from django.core.management.base import BaseCommand

from storefront.management.commands.setup_demo import (
    DEALER_EMAIL,
    DEALER_PASSWORD,
    STAFF_EMAIL,
    STAFF_PASSWORD,
)


class Command(BaseCommand):
    help = "Print where the demo runs and how to sign in."

    def handle(self, *args, **options):
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "DealerMall demo is starting on http://127.0.0.1:8000",
                    "  storefront  http://127.0.0.1:8000/",
                    "  GraphQL     http://127.0.0.1:8000/graphql/  (GraphiQL in the browser)",
                    "  back office http://127.0.0.1:8000/admin/",
                    f"  dealer buyer: {DEALER_EMAIL} / {DEALER_PASSWORD}",
                    f"  vendor staff: {STAFF_EMAIL} / {STAFF_PASSWORD}",
                    "Press Ctrl-C to stop.",
                    "",
                ]
            )
        )
