"""Search benchmark: 200,000 products (the ~4,000 real ones of the Online Retail files plus
generated ones with names, SKUs and categories made from the real vocabulary), typical dealer
searches on PostgreSQL full-text search, p50/p95 latency of search_products (total, facets
and a page of 48 at the dealer's prices, i.e. everything the catalog page asks of search).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dm_search_bench .venv/bin/python bench/search.py

The database is made and filled on the first run (about a minute; `--rebuild` builds it again) and
reused after (migrations are applied to it on every run). Last line: `products=<n> p50_ms=<n> p95_ms=<n>`. Target: p95 <= 30 ms. On a loaded
machine set BENCH_EXPLAIN=1 to print the database's execution time too (EXPLAIN ANALYZE), and
BENCH_CPU=1 for the CPU time of each search (this process and its PostgreSQL backend).
"""

import os
import random
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("ONLINE_RETAIL_DIR", "/work/shared/data/online-retail"))
TARGET_PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "200000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "25"))  # searches per kind
# BENCH_EXPLAIN=1: also the SQL execution time of each search (EXPLAIN ANALYZE of its queries).
EXPLAIN = os.environ.get("BENCH_EXPLAIN") == "1"
# BENCH_CPU=1: also the CPU time of each search, this process plus its PostgreSQL backend (Linux
# /proc/<pid>/schedstat; the server on this machine): what a loaded machine changes least.
CPU = os.environ.get("BENCH_CPU") == "1"
BATCH = 20_000
SKU_SHAPES = ("{n:05d}{l}", "{a}-{n:04d}", "{a}/{n:03d}", "{a}{n:06d}", "{n:06d}")
COLOURS = ("RED", "BLUE", "PINK", "IVORY", "GREEN", "BLACK", "WHITE", "SILVER", "GOLD", "PASTEL", "VINTAGE", "RETRO")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("SEARCH_BACKEND", "postgres")
    import django

    django.setup()


def build(rebuild: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    from catalog.models import Variant

    call_command("migrate", verbosity=0)
    if not rebuild and Variant.objects.count() >= TARGET_PRODUCTS:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE catalog_searchdocument, catalog_stock, catalog_variant, catalog_product, catalog_category CASCADE"
        )
    from storefront.online_retail.importer import ImportReport, bring_in_catalog_and_dealers

    started = time.monotonic()
    bring_in_catalog_and_dealers(sorted(DATA.glob("*.csv.gz")), ImportReport())
    print(f"real catalog: {Variant.objects.count()} SKUs in {time.monotonic() - started:.0f} s", flush=True)
    generate(TARGET_PRODUCTS - Variant.objects.count())
    from catalog.search.documents import refresh_documents

    started = time.monotonic()
    refresh_documents()
    with connection.cursor() as cursor:
        # As a freshly loaded production database would be after autovacuum: statistics, and
        # the visibility map the index-only scans of category browsing need.
        cursor.execute("VACUUM ANALYZE")
    print(f"search documents and word dictionary written in {time.monotonic() - started:.0f} s", flush=True)


def generate(count: int) -> None:
    """New products named like the real ones (words of real names, recombined), bulk
    inserted with unnest: one INSERT per table per batch."""
    from django.db import connection, transaction
    from django.utils import timezone

    from catalog.models import Category, Product, Warehouse

    rng = random.Random(7)
    names = list(Product.objects.values_list("name", flat=True))
    words = sorted({w for n in names for w in re.findall(r"[A-Z]{3,}", n)})
    categories = list(Category.objects.values_list("id", flat=True))
    warehouse = Warehouse.objects.get(code="MAIN")
    now = timezone.now()
    made = 0
    started = time.monotonic()
    while made < count:
        size = min(BATCH, count - made)
        product_names, slugs, skus, prices = [], [], [], []
        for i in range(size):
            n = made + i
            base = rng.choice(names).split()
            base[rng.randrange(len(base))] = rng.choice(words)
            name = " ".join([rng.choice(COLOURS), *base][: rng.randint(3, 6)])
            product_names.append(name)
            slugs.append(f"gen-{n}")
            shape = SKU_SHAPES[n % len(SKU_SHAPES)]
            letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
            skus.append(f"G{shape.format(n=n, l=rng.choice('ABCDE'), a=letters)}")
            prices.append(Decimal(rng.choice((29, 42, 65, 85, 125, 165, 210, 295, 425, 495, 850, 1250, 1695, 2495))) / 100)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO catalog_product (name, slug, category_id, description, is_active, created_at) "
                "SELECT n, s, c, '', true, %s FROM unnest(%s::text[], %s::text[], %s::bigint[]) AS t(n, s, c) RETURNING id",
                [now, product_names, slugs, [rng.choice(categories) for _ in range(size)]],
            )
            product_ids = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "INSERT INTO catalog_variant (product_id, sku, name, list_price, currency, pack_size, min_quantity, "
                "order_multiple, is_active) SELECT p, s, '', l, 'GBP', 1, 1, 1, true "
                "FROM unnest(%s::bigint[], %s::text[], %s::numeric[]) AS t(p, s, l) RETURNING id",
                [product_ids, skus, prices],
            )
            variant_ids = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "INSERT INTO catalog_stock (variant_id, warehouse_id, quantity_on_hand, quantity_allocated, version, updated_at) "
                "SELECT v, %s, q, 0, 1, %s FROM unnest(%s::bigint[], %s::int[]) AS t(v, q)",
                [warehouse.pk, now, variant_ids, [rng.choice((0, 0, 5, 20, 100, 400)) for _ in variant_ids]],
            )
        made += size
    print(f"generated {made} SKUs in {time.monotonic() - started:.0f} s", flush=True)


def dealer():
    """A Gold dealer with a contract: 1,000 explicit prices on top of its tier list."""
    from partners.models import Company
    from pricing_engine.models import PriceList, PriceListItem

    company = Company.objects.filter(tier__isnull=False, is_active=True).select_related("tier").order_by("code").first()
    contract, created = PriceList.objects.get_or_create(
        name="Bench contract", kind=PriceList.Kind.CONTRACT, company=company, defaults={"currency": company.currency or "GBP"}
    )
    if created:
        from catalog.models import Variant

        rows = Variant.objects.order_by("?").values_list("pk", "list_price")[:1000]
        PriceListItem.objects.bulk_create(
            [PriceListItem(price_list=contract, variant_id=pk, unit_price=(price * Decimal("0.8")).quantize(Decimal("0.01"))) for pk, price in rows]
        )
    return company


def workload(rng: random.Random) -> dict[str, list[dict]]:
    from catalog.models import Category, Variant
    from catalog.search import SearchFilters, Sort

    real = list(Variant.objects.exclude(sku__startswith="G").values_list("sku", "product__name"))
    picks = rng.sample(real, ROUNDS * 3)
    words = [w.lower() for _, name in picks for w in re.findall(r"[A-Z]{4,}", name)]
    slugs = list(Category.objects.values_list("slug", flat=True))

    def typo(word: str) -> str:
        i = rng.randrange(1, len(word))
        return word[:i] + rng.choice("aeiourst") + word[i + 1 :]

    pairs = [" ".join(name.lower().split()[:2]) for _, name in picks if len(name.split()) >= 2]
    return {
        "sku exact": [{"query": sku} for sku, _ in picks[:ROUNDS]],
        "sku prefix": [{"query": sku[:4]} for sku, _ in picks[ROUNDS : 2 * ROUNDS]],
        "one word": [{"query": w} for w in rng.sample(words, ROUNDS)],
        "two words": [{"query": p} for p in rng.sample(pairs, ROUNDS)],
        "typo": [{"query": typo(w)} for w in rng.sample([w for w in words if len(w) >= 6], ROUNDS)],
        "category facet, price sort": [
            {"query": "", "filters": SearchFilters(category=rng.choice(slugs)), "sort": Sort.PRICE_ASC} for _ in range(ROUNDS)
        ],
        "one word, price sort": [{"query": w, "sort": Sort.PRICE_ASC} for w in rng.sample(words, ROUNDS)],
    }


def sql_ms(run: dict, company, page) -> float:
    """The database's own execution time of one search (every query it sent, run again under
    EXPLAIN ANALYZE): what the machine's load changes least."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.search import search_products

    with CaptureQueriesContext(connection) as captured:
        search_products(run["query"], company=company, filters=run.get("filters"), sort=run.get("sort", "relevance"), page=page)
    total = 0.0
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {query['sql']}")
            total += cursor.fetchone()[0][0]["Execution Time"]
    return total


def cpu_ns(pids: tuple[int, int]) -> int:
    """Nanoseconds these processes have run on a CPU (first field of schedstat)."""
    return sum(int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) for pid in pids)


def main() -> None:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        from bench_database import ensure_database

        ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    from django.db import connection

    from catalog.models import Variant
    from catalog.search import PageRequest, search_products

    if connection.vendor != "postgresql":
        sys.exit("bench/search.py measures PostgreSQL full-text search: set DATABASE_URL to a PostgreSQL database")
    build("--rebuild" in sys.argv)
    company = dealer()
    products = Variant.objects.filter(is_active=True).count()
    kinds = workload(random.Random(11))
    page = PageRequest(0, 48)
    for runs in kinds.values():  # warm the caches once
        for run in runs[:3]:
            search_products(run["query"], company=company, filters=run.get("filters"), sort=run.get("sort", "relevance"), page=page)
    pids = (os.getpid(), 0)
    if CPU:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pids = (os.getpid(), cursor.fetchone()[0])
    everything, sql_everything, cpu_everything = [], [], []
    for kind, runs in kinds.items():
        times, hits, sql_times, cpu_times = [], [], [], []
        for run in runs:
            cpu_started = cpu_ns(pids) if CPU else 0
            started = time.perf_counter()
            result = search_products(run["query"], company=company, filters=run.get("filters"), sort=run.get("sort", "relevance"), page=page)
            times.append((time.perf_counter() - started) * 1000)
            if CPU:
                cpu_times.append((cpu_ns(pids) - cpu_started) / 1e6)
            hits.append(result.total)
            if EXPLAIN:
                sql_times.append(sql_ms(run, company, page))
        everything += times
        sql_everything += sql_times
        cpu_everything += cpu_times
        q = statistics.quantiles(times, n=20)
        sql = f"  SQL p50 {statistics.median(sql_times):6.1f} ms  p95 {statistics.quantiles(sql_times, n=20)[18]:6.1f} ms" if EXPLAIN else ""
        cpu = f"  CPU p50 {statistics.median(cpu_times):6.1f} ms  p95 {statistics.quantiles(cpu_times, n=20)[18]:6.1f} ms" if CPU else ""
        print(f"{kind:28} p50 {statistics.median(times):6.1f} ms  p95 {q[18]:6.1f} ms  median matches {int(statistics.median(hits))}{sql}{cpu}")
    if EXPLAIN:
        q = statistics.quantiles(sql_everything, n=20)
        print(f"SQL execution time (EXPLAIN ANALYZE, summed per search): p50 {statistics.median(sql_everything):.1f} ms  p95 {q[18]:.1f} ms")
    if CPU:
        q = statistics.quantiles(cpu_everything, n=20)
        print(f"CPU time (client and server, per search): p50 {statistics.median(cpu_everything):.1f} ms  p95 {q[18]:.1f} ms")
    q = statistics.quantiles(everything, n=20)
    print(f"products={products} p50_ms={statistics.median(everything):.1f} p95_ms={q[18]:.1f}")


if __name__ == "__main__":
    main()
