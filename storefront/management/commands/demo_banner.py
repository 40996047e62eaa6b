import os

from django.core.management.base import BaseCommand

from storefront.management.commands.setup_demo import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DEALER_EMAIL,
    DEALER_PASSWORD,
    STAFF_EMAIL,
    STAFF_PASSWORD,
)


class Command(BaseCommand):
    help = "Print where the demo runs and how to sign in."

    def handle(self, *args, **options):
        base = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"  # the Makefile passes PORT
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"DealerMall demo is starting on {base}",
                    f"  storefront  {base}/",
                    f"  GraphQL     {base}/graphql/  (GraphiQL in the browser)",
                    f"  back office {base}/admin/",
                    f"  dealer buyer: {DEALER_EMAIL} / {DEALER_PASSWORD} (orders above 500.00 wait for approval)",
                    f"  dealer admin: {ADMIN_EMAIL} / {ADMIN_PASSWORD} (approvals, company users)",
                    f"  vendor staff: {STAFF_EMAIL} / {STAFF_PASSWORD}",
                    "Press Ctrl-C to stop.",
                    "",
                ]
            )
        )
