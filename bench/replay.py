"""Replay benchmark: real invoices through cart -> checkout -> order -> outbox on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dealermall .venv/bin/python bench/replay.py [--orders 1000]

Builds a fresh database `<name>_bench` (dropped and made again), imports December 2010 as
history (catalog, dealers, tiers), then replays January 2011 invoices through the real ordering
path with one webhook endpoint subscribed (events are written to the outbox; delivery is not
timed here). Last line: `orders_per_s=<n> queries_per_order=<n>`.
"""

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from bench_database import recreate_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "online-retail"
BROKER = "redis://127.0.0.1:6379/15"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="processes placing orders (2 cores here)")
    parser.add_argument("--history", default=str(ROOT / "sample_data" / "online-retail-2010-12.csv.gz"))
    parser.add_argument("--replay", default=str(DATA / "2011-01.csv.gz"))
    args = parser.parse_args()

    url = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealermall"))
    if not url.scheme.startswith("postgres"):
        sys.exit("bench/replay.py measures PostgreSQL: set DATABASE_URL to a postgres:// URL")
    bench_db = (url.path.lstrip("/") or "dealermall") + "_bench"
    recreate_database(urlunparse(url._replace(path=f"/{bench_db}")))
    os.environ["DATABASE_URL"] = urlunparse(url._replace(path="/" + bench_db))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Production path: dispatch after commit enqueues to a real broker (Redis db 15, flushed
    # at the end; no worker listens, so no HTTP is timed).
    os.environ["CELERY_BROKER_URL"] = BROKER

    import django

    django.setup()
    from django.core.management import call_command

    from integrations.models import WebhookEndpoint
    from storefront.online_retail.importer import import_online_retail
    from storefront.online_retail.replay import replay_orders

    call_command("migrate", verbosity=0)
    import_online_retail([args.history])
    if not os.environ.get("BENCH_NO_ENDPOINT"):
        WebhookEndpoint.objects.create(url="http://127.0.0.1:9/erp", secret="bench-secret", event_types=["*"], is_active=True)
    try:
        report = replay_orders([args.replay], limit=args.orders, workers=args.workers)
    finally:
        import redis

        redis.Redis.from_url(BROKER).flushdb()
    print("\n".join(report.lines()))
    rate = report.orders_placed / report.seconds if report.seconds else 0
    print(f"orders_per_s={rate:.1f} queries_per_order={report.queries_per_order:.1f} workers={args.workers}")


if __name__ == "__main__":
    main()
