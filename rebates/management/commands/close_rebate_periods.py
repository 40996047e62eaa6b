"""manage.py close_rebate_periods [--today YYYY-MM-DD] [--program ID]: settle ended periods."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from rebates.models import RebateProgram
from rebates.services.settlement import close_rebate_periods


class Command(BaseCommand):
    help = ("Settle every period of the active rebate programs that ended before today (or --today): one settlement "
            "per dealer, computed from the period's orders and returns, waiting for finance's approval. Safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="Close as if it were this day.")
        parser.add_argument("--program", type=int, default=None, help="Only this program (id).")

    def handle(self, *args, today=None, program=None, **options):
        chosen = None
        if program is not None:
            chosen = RebateProgram.objects.filter(pk=program).first()
            if chosen is None:
                raise CommandError(f"No rebate program {program}.")
        for line in close_rebate_periods(today, chosen).lines():
            self.stdout.write(line)
