"""manage.py set_fund_budgets: every dealer's marketing fund for a period as a share of its
purchases in an earlier window (the same service as the back office's "Budgets from purchases")."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from expenses.services.funds import set_budgets_from_purchases
from mall.errors import DomainError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Set dealers' marketing-fund budgets for a period as a share of their purchases in a basis window."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help='Fund name, e.g. "MDF 2026 Q4".')
        parser.add_argument("--period", nargs=2, required=True, metavar=("START", "END"), help="Fund period, inclusive.")
        parser.add_argument("--basis", nargs=2, required=True, metavar=("START", "END"), help="Purchases window, inclusive.")
        parser.add_argument("--share", required=True, help="Per cent of the purchases, e.g. 2.5.")
        parser.add_argument("--currency", default="GBP")

    def handle(self, *args, **options):
        try:
            result = set_budgets_from_purchases(
                name=options["name"],
                period_start=_date(options["period"][0]),
                period_end=_date(options["period"][1]),
                basis_start=_date(options["basis"][0]),
                basis_end=_date(options["basis"][1]),
                share_percent=options["share"],
                currency=options["currency"],
            )
        except DomainError as exc:
            raise CommandError("; ".join(d.message for d in exc.details)) from exc
        for fund in result.created + result.updated:
            self.stdout.write(f"{fund.company.code}\t{fund.basis_amount}\t-> {fund.budget} {fund.currency}")
        self.stdout.write(
            f"{len(result.created)} created, {len(result.updated)} updated, {len(result.kept_manual)} set by hand left alone."
        )
