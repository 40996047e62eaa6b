import os

from django.core.management.base import BaseCommand, CommandError

from storefront.online_retail.replay import replay_orders


class Command(BaseCommand):
    help = (
        "Replay Online Retail invoices through the real ordering path: cart, checkout on account, "
        "order confirmation and webhooks. Brings new products and dealers in first."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--limit", type=int, default=None, help="Stop after this many orders are placed.")
        parser.add_argument(
            "--workers", type=int, default=1, help="Processes placing orders side by side (dealers are shared out)."
        )
        parser.add_argument(
            "--no-restock", action="store_true", help="Do not receive stock for what the invoices need."
        )

    def handle(self, *args, files, limit, no_restock, workers, **options):
        missing = [f for f in files if not os.path.isfile(f)]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more")
        if not 1 <= workers <= 16:
            raise CommandError("--workers must be between 1 and 16")
        report = replay_orders(files, limit=limit, restock=not no_restock, workers=workers)
        self.stdout.write("\n".join(report.lines()))
