import os

from django.core.management.base import BaseCommand, CommandError

from storefront.online_retail.importer import import_online_retail


class Command(BaseCommand):
    help = (
        "Import the Online Retail CSV files (plain or .gz): products, dealers, and each known "
        "customer's invoices as completed historical orders and returns. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Online Retail CSV files, e.g. ../shared/data/online-retail/*.csv.gz")

    def handle(self, *args, files, **options):
        missing = [f for f in files if not os.path.isfile(f)]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        report = import_online_retail(files)
        self.stdout.write("\n".join(report.lines()))
