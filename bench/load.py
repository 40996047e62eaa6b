"""Load test: simulated dealers on the real storefront pages, gunicorn on 127.0.0.1, for a bounded time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dm_fuzz .venv/bin/python bench/load.py [--users 20] [--spawn-rate 10] [--seconds 60]

Uses the database `<name>_load`, built on first use as bench/fuzz.py's (bench/serve.py: the
December 2010 Online Retail sample and the demo logins; its own, since the fuzzer changes
prices and stock at random). Makes --users buyers, each of a
different imported dealer (the busiest first, so each has its own prices and history), with
credit on account and no order limit, and SKUs with stock for them to order. Starts gunicorn
(--workers, production settings) and runs locust headless (bench/locustfile.py, in its own
process) for --seconds: each dealer signs in with its own session, then browses (70%),
searches (20%) and adds a line and checks out on account (10%), pausing --wait seconds
between actions. Prints requests/s, p50/p95/p99 per kind and overall, and errors (any answer
other than the expected page, or a refused order); a redirect followed counts with its request.

The server keeps production's limits except the sign-in limit per address
(RATE_LIMIT_LOGIN_IP=off): every simulated dealer signs in from 127.0.0.1 at once. The limits
per user (searches, orders) stay as in production; a dealer here makes fewer searches and
orders a minute than those allow. Rate-limit counters live in Redis (CACHE_URL), shared by the
workers as in production.

Last line: `rps=<n> p95_ms=<n> errors=<n>`.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serve  # noqa: E402 - bench/ is not a package

ROOT = serve.ROOT
CACHE_URL = "redis://127.0.0.1:6379/13"
SKUS = 200
WORDS = 40
CATALOG_PAGE_SIZE = 48
# For "how many dealers": a dealer at work on the shop takes one action every this many seconds.
DEALER_ACTION_SECONDS = 10
# locust's own limit, past the measured seconds: time for every dealer to sign in.
SIGN_IN_ALLOWANCE = 300


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20, help="simulated dealers (each its own account and session)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="dealers started per second")
    parser.add_argument("--seconds", type=int, default=60, help="how long locust runs")
    parser.add_argument("--wait", default="0.5,1.5", help="pause between a dealer's actions, min,max seconds")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    args = parser.parse_args()

    database_url = serve.bench_database_url("load")
    serve.ensure_database(database_url, rebuild=args.rebuild)
    emails = serve.load_dealers(args.users)
    plan_dir = Path(tempfile.mkdtemp(prefix="dealermall-load-"))
    plan = {**_catalog_plan(), "users": emails, "password": serve.LOAD_PASSWORD, "results": str(plan_dir / "requests.json")}
    (plan_dir / "plan.json").write_text(json.dumps(plan))
    env = {"RATE_LIMIT_LOGIN_IP": "off", "CACHE_URL": CACHE_URL}

    with serve.Server(database_url, workers=args.workers, env=env) as server:
        _warm_up(server.url, args.workers)
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        locust_log = plan_dir / "locust.log"
        finished = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.seconds + SIGN_IN_ALLOWANCE}s", "--host", server.url,
             "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
            env={**os.environ, "LOAD_PLAN": str(plan_dir / "plan.json"), "LOAD_WAIT": args.wait,
                 "LOAD_USERS": str(args.users), "LOAD_SECONDS": str(args.seconds)},
            cwd=ROOT, check=False, stdout=locust_log.open("w"), stderr=subprocess.STDOUT,
        )
        elapsed = time.monotonic() - started
        load_after = os.getloadavg()[0]
    results = Path(plan["results"])
    found = json.loads(results.read_text()) if results.exists() else {}
    if not found.get("records") or not found.get("since"):
        sys.exit(f"locust recorded no timed request (exit {finished.returncode}); see {locust_log} and {server.log_path}")
    report(found["records"], found["since"], args, load_before, load_after, elapsed, server.log_path)


def _warm_up(url: str, workers: int) -> None:
    """A few anonymous pages first, so that no worker's first request (imports, templates) is timed."""
    import urllib.request

    for _ in range(3 * workers):
        for path in ("/login/", "/"):
            with urllib.request.urlopen(url + path, timeout=60) as answer:
                answer.read()


def _catalog_plan() -> dict:
    """What the dealers ask for: SKUs they can order (stock topped up), words and categories of
    the catalog, the number of catalog pages."""
    from collections import Counter

    from catalog.models import Category, Variant
    from catalog.services import replenish

    orderable = list(
        Variant.objects.filter(is_active=True, min_quantity=1, order_multiple=1, list_price__gt=0)
        .order_by("sku").values_list("pk", "sku")[:SKUS]
    )
    replenish({pk: 10_000 for pk, _ in orderable})  # receives only what is missing
    names = Variant.objects.filter(is_active=True).values_list("product__name", flat=True)
    words = Counter(w.lower() for name in names for w in name.split() if len(w) >= 4 and w.isalpha())
    categories = list(Category.objects.filter(products__isnull=False).distinct().values_list("slug", flat=True)[:20])
    pages = max(1, Variant.objects.filter(is_active=True).count() // CATALOG_PAGE_SIZE)
    return {"skus": [sku for _, sku in orderable], "words": [w for w, _ in words.most_common(WORDS)],
            "categories": categories, "catalog_pages": min(pages, 20)}


def _percentile(sorted_ms: list[float], share: float) -> float:
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, int(round(share * (len(sorted_ms) - 1))))]


def report(records, since, args, load_before, load_after, elapsed, log_path) -> None:
    """Figures per kind and name, and overall (`all`), of the requests that ended in the timed
    window (from the last sign-in, --seconds long); the sign-ins are shown on their own line
    and their errors counted."""
    sign_ins = [r for r in records if r[0] == "sign-in"]
    until = since + args.seconds  # requests still in flight when locust stopped do not count
    steady = [r for r in records if r[0] != "sign-in" and since <= r[4] <= until]
    if not steady:
        sys.exit(f"no request after signing in; see {log_path}")
    by_kind, by_name = defaultdict(list), defaultdict(list)
    errors = defaultdict(int)
    for kind, name, ms, failed, _ in steady + sign_ins:
        by_kind[kind].append(ms)
        by_name[name].append(ms)
        errors[kind] += failed
    window = float(args.seconds)
    everything = sorted(r[2] for r in steady)
    print(f"{args.users} dealers, {args.workers} gunicorn workers, {len(steady)} requests in the {window:.1f} s after the "
          f"last sign-in (signing in took {since - min(r[4] - r[2] / 1000 for r in records):.0f} s; locust ran {elapsed:.0f} s); "
          f"load average {load_before:.2f} before, {load_after:.2f} after, {os.cpu_count()} cores")
    print(f"{'kind':22} {'requests':>8} {'share':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    rows = [(kind, sorted(times), errors[kind]) for kind, times in sorted(by_kind.items())]
    rows += [(f"  {name}", sorted(times), None) for name, times in sorted(by_name.items())]
    rows.append(("all (after sign-in)", everything, sum(errors.values())))
    for label, times, failed in rows:
        print(f"{label:22} {len(times):8d} {len(times) / len(steady):6.1%} {len(times) / window:6.1f} "
              f"{_percentile(times, .50):7.0f} {_percentile(times, .95):7.0f} {_percentile(times, .99):7.0f} "
              f"{'' if failed is None else failed:>6}")
    rps = len(steady) / window
    actions = len(by_kind["browse"]) + len(by_kind["search"]) + len(by_name["cart: product page"])
    per_action = len(steady) / max(actions, 1)
    per_dealer_minute = per_action * 60 / DEALER_ACTION_SECONDS
    print(f"{actions} dealer actions, {per_action:.2f} requests each; a dealer acting every {DEALER_ACTION_SECONDS} s makes "
          f"{per_dealer_minute:.1f} requests a minute, so {rps:.1f} requests/s serve about {rps * 60 / per_dealer_minute:.0f} "
          f"such dealers at once")
    print(f"server log: {log_path}")
    print(f"rps={rps:.1f} p95_ms={_percentile(everything, .95):.0f} errors={sum(errors.values())}")


if __name__ == "__main__":
    main()
