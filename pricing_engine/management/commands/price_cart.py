import json
import sys
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from pricing_engine.core import price_cart
from pricing_engine.core.codec import ScenarioError, cart_to_dict, request_from_dict


class Command(BaseCommand):
    help = (
        "Price a scenario (docs/pricing.md §7: dealer, lines, items, price sources, promotions, "
        "vouchers, rebate use, moment) through the pricing core and print the priced cart, with "
        "every line's waterfall, as JSON. FILE '-' reads standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("scenario", help="a scenario JSON file, or - for standard input")

    def handle(self, *args, scenario, **options):
        try:
            text = sys.stdin.read() if scenario == "-" else open(scenario, encoding="utf-8").read()
        except OSError as exc:
            raise CommandError(f"Cannot read {scenario}: {exc.strerror}") from exc
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{scenario} is not JSON: {exc}") from exc
        except RecursionError as exc:
            raise CommandError(f"{scenario} is nested too deeply to be a scenario") from exc
        try:
            priced = price_cart(request_from_dict(data))
        except ScenarioError as exc:
            raise CommandError(f"Scenario error at {exc.path}: {exc.message}") from exc
        except ArithmeticError as exc:  # decimal.InvalidOperation: an amount beyond 38 digits
            raise CommandError("Scenario cannot be priced: an amount is too large to round to the currency") from exc
        except (ValueError, TypeError) as exc:  # a value the core refuses
            raise CommandError(f"Scenario cannot be priced: {exc}") from exc
        self.stdout.write(json.dumps(cart_to_dict(priced), indent=2, ensure_ascii=False))
