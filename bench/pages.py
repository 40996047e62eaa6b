"""Page benchmark: server render time of the main storefront pages on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dealermall .venv/bin/python bench/pages.py [--runs 25]

Uses the database `<name>_pages`, built on the first run (about a minute: migrations, the
December 2010 Online Retail sample imported as catalog, dealers, tiers and history, and the
demo dealer of `setup_demo`); `--rebuild` builds it again. Then, signed in as the demo dealer
(the busiest Gold dealer, with its contract prices), Django's test client asks for
  catalog  /               the first page of the catalog: 48 products at the dealer's prices
  product  /products/<SKU>/ the dealer's most ordered SKU
  cart     /cart/          a cart of 20 lines (the dealer's 20 most ordered SKUs in stock)
after a few warm-up requests, and reports the median of the runs (time from request to a
rendered response, in this process: no HTTP, no browser) and the queries of each page.
Last line: `catalog_ms=<n> product_ms=<n> cart_ms=<n>`. Target: catalog <= 150 ms here.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from bench_database import ensure_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "sample_data" / "online-retail-2010-12.csv.gz"
WARM_UP = 3
CART_LINES = 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=25, help="timed requests per page (the median is reported)")
    parser.add_argument("--rebuild", action="store_true", help="drop and build the benchmark database again")
    args = parser.parse_args()

    url = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealermall"))
    if not url.scheme.startswith("postgres"):
        sys.exit("bench/pages.py measures PostgreSQL: set DATABASE_URL to a postgres:// URL")
    name = (url.path.lstrip("/") or "dealermall") + "_pages"
    fresh = ensure_database(urlunparse(url._replace(path=f"/{name}")), args.rebuild)
    os.environ["DATABASE_URL"] = urlunparse(url._replace(path="/" + name))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # One client repeats checkout/search far faster than a dealer would: rate limits off (docs/performance.md).
    os.environ.setdefault("RATE_LIMITS_ENABLED", "0")
    # As in production: DEBUG off (no query log kept per request, no debug templates); plain
    # HTTP, since the test client speaks no TLS.
    os.environ.update(DEBUG="0", HTTPS="0", ALLOWED_HOSTS="testserver")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

    import django

    django.setup()
    _build(fresh)
    client, sku = _dealer_client()
    pages = {"catalog": "/", "product": f"/products/{sku}/", "cart": "/cart/"}
    _check(client, pages)

    medians = {}
    for page, path in pages.items():
        times, queries = _measure(client, path, args.runs)
        medians[page] = statistics.median(times)
        print(f"{page:8} {path:28} median {medians[page]:7.1f} ms  min {min(times):7.1f}  max {max(times):7.1f}  queries {queries}")
    print(f"runs={args.runs} load_average={os.getloadavg()[0]:.2f} cores={os.cpu_count()}")
    print(" ".join(f"{page}_ms={medians[page]:.0f}" for page in pages))


def _build(fresh: bool) -> None:
    from django.core.management import call_command

    from catalog.models import Variant

    call_command("migrate", verbosity=0)
    if fresh or not Variant.objects.exists():
        from storefront.online_retail.importer import import_online_retail

        started = time.monotonic()
        report = import_online_retail([SAMPLE])
        print(f"imported {SAMPLE.name}: {Variant.objects.count()} SKUs, {report.orders_created} orders in {time.monotonic() - started:.0f} s")
    call_command("setup_demo", verbosity=0)


def _dealer_client():
    """The demo dealer signed in, with a cart of its CART_LINES most ordered SKUs in stock."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Sum
    from django.test import Client

    from catalog.models import Stock
    from storefront.management.commands.setup_demo import DEALER_EMAIL
    from storefront.models import OrderLine
    from storefront.services.cart import LineChange, add_lines, clear_cart

    user = get_user_model().objects.select_related("membership__company").get(username=DEALER_EMAIL)
    company = user.membership.company
    in_stock = set(Stock.objects.filter(quantity_on_hand__gt=10).values_list("variant__sku", flat=True))
    most_ordered = [
        row["sku"]
        for row in OrderLine.objects.filter(order__company=company, variant__is_active=True)
        .values("sku").annotate(n=Count("id"), units=Sum("quantity")).order_by("-n", "-units", "sku")
        if row["sku"] in in_stock
    ]
    if len(most_ordered) < CART_LINES:
        sys.exit(f"the demo dealer has only {len(most_ordered)} ordered SKUs in stock; {CART_LINES} are needed")
    clear_cart(user, company)
    add_lines(user, company, [LineChange(sku, 1) for sku in most_ordered[:CART_LINES]])
    client = Client()
    client.force_login(user)
    return client, most_ordered[0]


def _check(client, pages: dict[str, str]) -> None:
    """Each page answers 200 and shows what it is measured for."""
    for page, path in pages.items():
        response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"{page} {path} answered {response.status_code}")
    catalog = client.get(pages["catalog"]).content.decode()
    cards = catalog.count('data-testid="product-card"') or catalog.count('class="card product-card')
    cart = client.get(pages["cart"]).content.decode()
    lines = cart.count('data-testid="cart-line"') or cart.count("data-sku=")
    if cards != 48 or lines != CART_LINES:
        sys.exit(f"expected 48 products and {CART_LINES} cart lines, found {cards} and {lines}")


def _measure(client, path: str, runs: int) -> tuple[list[float], int]:
    from django.db import connection

    for _ in range(WARM_UP):
        client.get(path)
    # Counted with a wrapper: the query log of CaptureQueriesContext is reset at each request start.
    captured = []
    with connection.execute_wrapper(lambda execute, sql, params, many, context: captured.append(sql) or execute(sql, params, many, context)):
        client.get(path)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times, len(captured)


if __name__ == "__main__":
    main()
