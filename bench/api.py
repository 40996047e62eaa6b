"""GraphQL API benchmark: products(first: 100) with prices and stock, and the cart-to-order
flow with 1, 10 and 50 lines, through Django's full request stack (in-process client, no
network), on PostgreSQL. Compare with Saleor 3.24's figures in the design guide.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dealermall .venv/bin/python bench/api.py

Needs the database made by bench/replay.py (`<name>_bench`): run that first. Last line:
`products_ms=<n> products_queries=<n> checkout_1_ms=<n> checkout_10_ms=<n> checkout_50_ms=<n> checkout_50_queries=<n>`.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROUNDS = 15

PRODUCTS = """{ products(first: 100) { totalCount edges { node { sku name
  pricing { listPrice { amount currency } price { amount currency } volumeBreaks { minQuantity price { amount } } }
  stock { available } } } } }"""
ADD = "mutation ($lines: [CartLineInput!]!) { cartAddLines(lines: $lines) { errors { code } } }"
CHECKOUT = """mutation ($key: String!) { checkoutComplete(idempotencyKey: $key) {
  order { number total { amount } } errors { code message } } }"""


def main() -> None:
    url = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealermall"))
    os.environ["DATABASE_URL"] = urlunparse(url._replace(path="/" + ((url.path.lstrip("/") or "dealermall") + "_bench")))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # One client repeats checkout/search far faster than a dealer would: rate limits off (docs/performance.md).
    os.environ.setdefault("RATE_LIMITS_ENABLED", "0")
    os.environ["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/15"  # enqueue, as in production
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalog.models import Variant
    from catalog.services import replenish
    from mall.auth_tokens import create_access_token
    from partners.models import CreditAccount, Membership

    settings.ALLOWED_HOSTS = ["*"]
    membership = Membership.objects.select_related("user", "company").filter(company__tier__code="GOLD").first()
    if membership is None:
        sys.exit("run bench/replay.py first: it builds the benchmark database")
    CreditAccount.objects.filter(company=membership.company).update(credit_limit=10**9, outstanding=0)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_access_token(membership.user)}")
    skus = list(Variant.objects.order_by("sku").values_list("sku", flat=True)[:50])

    def post(query, variables=None):
        response = client.post("/graphql/", json.dumps({"query": query, "variables": variables or {}}), content_type="application/json")
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]

    def timed(fn):
        times, queries = [], 0
        for _ in range(ROUNDS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                fn()
                times.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
        return statistics.median(times), queries

    post(PRODUCTS)  # warm up
    products_ms, products_queries = timed(lambda: post(PRODUCTS))
    results = {}
    counter = iter(range(10**6))
    for lines in (1, 10, 50):
        wanted = {Variant.objects.get(sku=s).pk: 10 * ROUNDS for s in skus[:lines]}
        replenish(wanted)

        def flow(lines=lines):
            post(ADD, {"lines": [{"sku": s, "quantity": 1} for s in skus[:lines]]})
            done = post(CHECKOUT, {"key": f"bench-{lines}-{next(counter)}-{time.time()}"})["checkoutComplete"]
            assert not done["errors"], done

        results[lines] = timed(flow)
    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()
    for lines, (ms, queries) in results.items():
        print(f"cart-to-order, {lines} lines: median {ms:.1f} ms, {queries} SQL queries (add lines + checkout)")
    print(f"products(first: 100): median {products_ms:.1f} ms, {products_queries} SQL queries")
    print(
        f"products_ms={products_ms:.1f} products_queries={products_queries} checkout_1_ms={results[1][0]:.1f} "
        f"checkout_10_ms={results[10][0]:.1f} checkout_50_ms={results[50][0]:.1f} checkout_50_queries={results[50][1]}"
    )


if __name__ == "__main__":
    main()
