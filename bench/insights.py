"""Dashboards over the nine real months: the SQL of each back-office dashboard, its charts
(drawn, then from the cache) and the whole page through Django's request stack, plus the
refresh of the facts (one changed day, a sweep with nothing to do).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dm_insights_bench .venv/bin/python bench/insights.py

The database must hold the nine months (`manage.py import_online_retail ../shared/data/online-retail/*.csv.gz`)
and their facts (`manage.py refresh_insights --all`). Last line:
`dashboards=<n> sql_max_ms=<n> page_cold_max_ms=<n> page_warm_max_ms=<n>`.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROUNDS = 5


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from insights import reports, services
    from insights.filters import default_filters
    from insights.models import DailySales, DailySegmentSales

    f = default_filters()
    print(f"facts: {DailySales.objects.count()} SKU rows, {DailySegmentSales.objects.count()} segment rows; "
          f"period {f.start}..{f.end}")  # fmt: skip
    user, _ = get_user_model().objects.get_or_create(
        username="insights-bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    from insights.charts import warm_up

    warm_up()  # as a gunicorn worker does at start (operations/gunicorn_conf.py)
    print(f"{'dashboard':<12} {'data ms':>8} {'queries':>8} {'page cold ms':>13} {'page warm ms':>13}")
    sql_all, cold_all, warm_all = [], [], []
    for slug in reports.DASHBOARDS:
        sql = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                reports.DASHBOARDS[slug][2](f)
            sql.append(_ms(start))
            query_count = len(queries.captured_queries)  # read now: a request resets the log
        cache.clear()
        start = time.perf_counter()
        assert client.get(f"/admin/insights/{slug}/").status_code == 200
        cold = _ms(start)
        warm = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            assert client.get(f"/admin/insights/{slug}/").status_code == 200
            warm.append(_ms(start))
        row = (statistics.median(sql), cold, statistics.median(warm))
        sql_all.append(row[0])
        cold_all.append(row[1])
        warm_all.append(row[2])
        print(f"{slug:<12} {row[0]:>8.0f} {query_count:>8} {row[1]:>13.0f} {row[2]:>13.0f}")
    day = f.end
    start = time.perf_counter()
    result = services.refresh_days([day])
    print(f"refresh of one day ({day}, {result.sales_rows} SKU rows): {_ms(start):.0f} ms")
    start = time.perf_counter()
    result = services.refresh_changed_days()
    print(f"sweep with nothing changed ({result.days} days refreshed): {_ms(start):.0f} ms")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(
        f"dashboards={len(sql_all)} sql_max_ms={max(sql_all):.0f} page_cold_max_ms={max(cold_all):.0f} "
        f"page_warm_max_ms={max(warm_all):.0f}"
    )


if __name__ == "__main__":
    main()
