"""Time django-oscar's offer engine on the basket bench/pricing.py describes.

Runs inside bench/.oscar-venv only (started by bench/pricing.py, never imported by the
project):

    bench/.oscar-venv/bin/python bench/oscar_side/run_offers.py SPEC.json

SPEC.json (written by bench/pricing.py) holds the products (SKU, categories, the dealer's
unit price before promotions: Oscar has no tier price lists, so the stock record carries the
price DealerMall's base-price rule gives), the basket lines and the offers, already
translated into Oscar's terms (range, condition, benefit, priority, max applications and
which other offers each may combine with on the same items).

It builds them in an in-memory SQLite database (one Product, StockRecord and basket Line
per SKU, one Range, Condition, Benefit and site ConditionalOffer per offer), then times

    basket.reset_offer_applications(); Applicator().apply(basket, None, None)

(what Oscar's basket middleware does on every request: load the site offers, reload the
basket lines, apply every offer) and, separately, `apply_offers` alone with the offers
already loaded. One apply() takes seconds (Oscar 3.2 asks the database whether each line's
product is in each offer's range), so few runs are timed after one counted warm-up run.
Last line:
`oscar_median_ms=<n> oscar_p95_ms=<n> oscar_engine_median_ms=<n> queries=<n> runs=<n> ...`.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", message="update is not implemented")

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from oscar.apps.offer.applicator import Applicator  # noqa: E402
from oscar.apps.partner.strategy import Selector  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402

Basket = get_model("basket", "Basket")
Benefit = get_model("offer", "Benefit")
Category = get_model("catalogue", "Category")
Condition = get_model("offer", "Condition")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
Range = get_model("offer", "Range")
RangeProduct = get_model("offer", "RangeProduct")
StockRecord = get_model("partner", "StockRecord")


def build(spec: dict):
    call_command("migrate", run_syncdb=True, verbosity=0)
    goods = ProductClass.objects.create(name="Goods", requires_shipping=False, track_stock=False)
    names = sorted({c for p in spec["products"] for c in p["categories"]})
    categories = {name: Category.add_root(name=name) for name in names}
    partner = Partner.objects.create(name="Vendor")
    products = {}
    for row in spec["products"]:
        product = Product.objects.create(
            title=row["title"], upc=row["sku"], product_class=goods, structure="standalone"
        )
        for name in row["categories"]:
            ProductCategory.objects.create(product=product, category=categories[name])
        StockRecord.objects.create(
            product=product,
            partner=partner,
            partner_sku=row["sku"],
            price=Decimal(row["price"]),
            price_currency=spec["currency"],
            num_in_stock=1_000_000,
        )
        products[row["sku"]] = product

    offers = {}
    for row in spec["offers"]:
        scope = row["range"]
        rng = Range.objects.create(name=row["name"], includes_all_products=bool(scope.get("all")))
        RangeProduct.objects.bulk_create(
            RangeProduct(range=rng, product=products[sku], display_order=i)
            for i, sku in enumerate(scope.get("skus", ()))
        )
        if scope.get("categories"):
            rng.included_categories.set([categories[c] for c in scope["categories"]])
        condition = Condition.objects.create(
            range=rng, type=row["condition"]["type"], value=Decimal(row["condition"]["value"])
        )
        benefit = Benefit.objects.create(
            range=rng, type=row["benefit"]["type"], value=Decimal(row["benefit"]["value"])
        )
        offers[row["name"]] = ConditionalOffer.objects.create(
            name=row["name"],
            offer_type=ConditionalOffer.SITE,
            status=ConditionalOffer.OPEN,
            exclusive=False,
            priority=row["priority"],
            max_basket_applications=row.get("max_applications"),
            condition=condition,
            benefit=benefit,
        )
    through = ConditionalOffer.combinations.through
    through.objects.bulk_create(
        through(from_conditionaloffer=offers[row["name"]], to_conditionaloffer=offers[other])
        for row in spec["offers"]
        for other in row["combines_with"]
    )

    strategy = Selector().strategy()
    basket = Basket.objects.create()
    basket.strategy = strategy
    for row in spec["lines"]:
        basket.add_product(products[row["sku"]], row["quantity"])
    return basket


def timed(fn, runs: int, max_seconds: float, min_runs: int = 3) -> list[float]:
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < runs:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        if len(times) >= min_runs and time.perf_counter() - started > max_seconds:
            break
    return times


class QueryCounter:
    """Counts the SQL statements run, by what they are for (connection.execute_wrapper)."""

    def __init__(self):
        self.kinds: dict[str, int] = {}

    def __call__(self, execute, sql, params, many, context):
        if "offer_conditionaloffer_combinations" in sql:
            kind = "combinations"
        elif sql.startswith('SELECT DISTINCT %s AS "a" FROM "catalogue_product"'):
            kind = "range_contains_product"  # Range.contains_product: one per range and line
        else:
            kind = "other"
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        return execute(sql, params, many, context)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    runs, engine_runs = spec.get("runs", 5), spec.get("engine_runs", 3)
    max_seconds = spec.get("max_seconds", 150)
    t0 = time.perf_counter()
    basket = build(spec)
    print(
        f"oscar: built {len(spec['products'])} products, {len(spec['offers'])} offers, "
        f"{basket.all_lines().count()} basket lines in {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )
    applicator = Applicator()

    def full():
        basket.reset_offer_applications()
        applicator.apply(basket, None, None)

    offers = applicator.get_offers(basket, None, None)  # loaded once, ranges cached on them

    def engine():
        basket.reset_offer_applications()  # the lines are reloaded inside, as in apply()
        applicator.apply_offers(basket, offers)

    counter = QueryCounter()
    with connection.execute_wrapper(counter):  # the warm-up run, counted
        full()
    queries = sum(counter.kinds.values())
    print(
        "oscar: SQL statements in one apply(): "
        + ", ".join(f"{k} {v}" for k, v in sorted(counter.kinds.items())),
        file=sys.stderr,
    )
    applications = basket.offer_applications.applications.values()
    discounts = sum((a["discount"] for a in applications), Decimal(0))
    applied = sum(1 for a in applications if a["discount"])
    total = basket.total_excl_tax
    subtotal = basket.total_excl_tax_excl_discounts
    if os.environ.get("BENCH_OSCAR_VERBOSE"):
        for a in applications:
            print(f"oscar:   {a['offer'].name}: {a['discount']} x{a['freq']}", file=sys.stderr)
    full_times = timed(full, runs, max_seconds)
    engine_times = timed(engine, engine_runs, max_seconds)
    print(
        f"oscar_median_ms={statistics.median(full_times):.1f} oscar_p95_ms={p95(full_times):.1f} "
        f"oscar_engine_median_ms={statistics.median(engine_times):.1f} queries={queries} "
        f"runs={len(full_times)} engine_runs={len(engine_times)} offers_applied={applied} "
        f"subtotal={subtotal} discounts={discounts} total={total}"
    )


if __name__ == "__main__":
    main()
