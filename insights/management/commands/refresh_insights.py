import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from insights import services


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from error


class Command(BaseCommand):
    help = (
        "Rebuild the sales facts behind the dashboards: by default only the days whose orders or "
        "returns changed since their last refresh; --all rebuilds every day; --day D refreshes one day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Rebuild every day (after a catalog re-categorisation).")
        parser.add_argument("--day", action="append", default=[], help="Refresh this day (YYYY-MM-DD); repeatable.")

    def handle(self, *args, all, day, **options):
        started = time.monotonic()
        if all and day:
            raise CommandError("Give --all or --day, not both.")
        if all:
            result = services.refresh_all()
        elif day:
            result = services.refresh_days([_day(d) for d in day])
        else:
            result = services.refresh_changed_days()
        self.stdout.write(
            f"days refreshed: {result.days}, sales rows: {result.sales_rows}, dealer rows: {result.dealer_rows}, "
            f"promotion rows: {result.promotion_rows}, time: {time.monotonic() - started:.1f} s"
        )
