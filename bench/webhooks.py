"""Webhook benchmark: events through the outbox, a real Redis broker and Celery workers, to a
local HTTP receiver (the ERP) that checks each signature and answers 200 at once.

    .venv/bin/python bench/webhooks.py [--events 10000] [--rate 1000] [--workers 2]

Builds a fresh database `dm_erp_bench` (dropped and made again; DATABASE_URL's host is used),
starts the receiver process (bench/webhook_receiver.py) on 127.0.0.1 and `--workers` Celery worker processes (solo pool),
then writes the events in transactions of `--per-txn` (default 10, like a checkout) at
`--rate` events/s (0: as fast as this one producer can) over 2,000 SKUs. Latency is commit ->
receipt (the producer notes the time right after each commit, the receiver the time each POST
arrives). events/s is distinct events received / (last receipt - first commit). It checks that
every event arrived, each id once after de-duplication, in order per aggregate, every
signature valid; and reports the CPU time each part used per event (workers, receiver,
PostgreSQL backends of the bench database, producer) and the load average.
Last line: `events_per_s=<n> p50_ms=<n> p95_ms=<n>`.

    .venv/bin/python bench/webhooks.py --backlog [--events 10000]

writes every event first with the hand-over held back, then wakes the drains once: the time
from that kick to the last receipt is the workers' drain rate, whatever the producer manages
(its commit -> receipt latencies then include the wait for the kick, and mean nothing).

    .venv/bin/python bench/webhooks.py --in-process [--events 2000] [--mode drain|batches] [--profile]

measures the delivery path alone, a figure that depends little on how busy the machine is:
the events are written first (the hand-over after commit held back), then delivered in this
process to the receiver: `drain` (default) runs each shard's drain (integrations/drain.py) as
a worker does; `batches` delivers each transaction's batch (deliver_batch, the path without a
broker). Last line: `cpu_ms_per_event=<n> wall_ms_per_event=<n> sql_per_event=<n>` (this
process's CPU time, and SQL statements, BEGIN/COMMIT included, per event).
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from multiprocessing import Process
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_database import recreate_database  # noqa: E402
from webhook_receiver import receiver, report, wait_for  # noqa: E402 - bench/ is not a package

BENCH_DB = "dm_erp_bench"
SECRET = "bench-secret"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=1000.0, help="events offered per second (0: as fast as possible)")
    parser.add_argument("--per-txn", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skus", type=int, default=2000)
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--producers", type=int, default=1, help="producer processes sharing --rate (each its own SKUs)")
    parser.add_argument("--backlog", action="store_true", help="write every event first (hand-over held back), then "
                        "wake the drains: the workers' drain rate, whatever the producer manages")
    parser.add_argument("--in-process", action="store_true", help="the delivery path's cost per event, no Celery")
    parser.add_argument("--mode", choices=["drain", "batches"], default="drain", help="--in-process: which path")
    parser.add_argument("--profile", action="store_true", help="--in-process: cProfile of the delivery, top 25")
    args = parser.parse_args()

    url = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealermall"))
    recreate_database(urlunparse(url._replace(path=f"/{BENCH_DB}")))
    bench_url = urlunparse(url._replace(path="/" + BENCH_DB))
    os.environ.update(DATABASE_URL=bench_url, CELERY_BROKER_URL=args.broker, DJANGO_SETTINGS_MODULE="mall.settings", LOG_LEVEL="WARNING")

    import django
    import redis

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from integrations.events import API_VERSION, EventSpec
    from integrations.models import Delivery, WebhookEndpoint
    from integrations.services import record_events

    call_command("migrate", verbosity=0)
    WebhookEndpoint.objects.create(url=f"http://127.0.0.1:{args.port}/erp", secret=SECRET, event_types=["*"])
    redis.Redis.from_url(args.broker).flushdb()
    print(f"settings: WEBHOOK_DRAIN_SHARDS={settings.WEBHOOK_DRAIN_SHARDS} WEBHOOK_DRAIN_BATCH={settings.WEBHOOK_DRAIN_BATCH} "
          f"WEBHOOK_SEND_CONCURRENCY={settings.WEBHOOK_SEND_CONCURRENCY} WEBHOOK_DRAIN_SECONDS={settings.WEBHOOK_DRAIN_SECONDS} "
          f"WEBHOOK_DRAIN_IDLE_SECONDS={settings.WEBHOOK_DRAIN_IDLE_SECONDS}; "
          f"load average at start: {_load()}")
    if args.in_process:
        return in_process(args, EventSpec, API_VERSION, transaction)

    import psutil

    logs = [Path(tempfile.gettempdir()) / f"bench_webhooks_worker{n}.log" for n in range(args.workers)]
    erp = Process(target=receiver, args=(args.port, SECRET), daemon=True)
    erp.start()
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "mall", "worker", "--pool", "solo", "-n", f"bench{n}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
            cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=open(log, "w"),
        )
        for n, log in enumerate(logs)
    ]
    wait_for_workers(args.workers)
    parts = {"workers": [psutil.Process(w.pid) for w in workers], "receiver": [psutil.Process(erp.pid)]}
    cpu_before = {name: _cpu(procs) for name, procs in parts.items()}
    pg_before = _postgres_cpu(psutil)
    try:
        producer_cpu = time.process_time()
        if args.backlog:
            from integrations import drain, services

            services.dispatch = lambda ids: None  # the backlog waits for the kick below
            committed, sequences = produce(args, services.record_events, EventSpec, API_VERSION, transaction)
            cpu_before = {name: _cpu(procs) for name, procs in parts.items()}
            pg_before = _postgres_cpu(psutil)
            woken = time.time()
            drain.kick()
        elif args.producers > 1:
            committed, sequences, producer_cpu = produce_in_parallel(args)
        else:
            committed, sequences = produce(args, record_events, EventSpec, API_VERSION, transaction)
        producer_cpu = producer_cpu if args.producers > 1 and not args.backlog else time.process_time() - producer_cpu
        receipts, bad_signatures = wait_for(args.port, len(committed))
        cpu = {name: _cpu(procs) - cpu_before[name] for name, procs in parts.items()}
        cpu["postgres"] = _postgres_cpu(psutil, pg_before)
        cpu["producer"] = 0.0 if args.backlog else producer_cpu
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        erp.terminate()
        redis.Redis.from_url(args.broker).flushdb()
    for log in logs:
        errors = [line for line in log.read_text(errors="replace").splitlines() if "Error" in line or "Traceback" in line]
        if errors:
            print(f"{log}: {len(errors)} error lines, the last: {errors[-1][:300]}")
    print("CPU per event (ms): " + " ".join(f"{name}={seconds * 1000 / len(committed):.2f}" for name, seconds in cpu.items())
          + f" total={sum(cpu.values()) * 1000 / len(committed):.2f}")
    print(f"offered: {args.rate:g} events/s ({'as fast as the producer can' if args.rate <= 0 else 'paced'}); load average at end: {_load()}")
    if args.backlog:
        last = max(r[3] for r in receipts)
        print(f"backlog of {len(committed)} events, drained in {last - woken:.2f} s from the kick "
              f"(CPU figures above: the drain only): drain_events_per_s={len(committed) / (last - woken):.0f}")
    report(committed, sequences, receipts, bad_signatures, Delivery)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _cpu(processes) -> float:
    import psutil

    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):  # gone (a zombie is a NoSuchProcess), or not ours to read
            pass
    return total


def _postgres_cpu(psutil, before: dict | None = None):
    """CPU seconds of the PostgreSQL backends serving the bench database (the producer's and the
    workers'): a dict of pid -> seconds, or with `before` the total used since then."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [BENCH_DB])
        pids = [row[0] for row in cursor.fetchall()]
    now = {}
    for pid in pids:
        try:
            now[pid] = _cpu([psutil.Process(pid)])
        except psutil.NoSuchProcess:  # the backend ended between the query and here (_cpu handles the rest)
            pass
    if before is None:
        return now
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in now.items())


def wait_for_workers(count: int, timeout: float = 600.0) -> None:
    """Until every worker answers a ping: on a loaded 2-core machine a worker takes over a
    minute to start, and events written before that would measure its start-up, not delivery."""
    from mall.celery import app

    deadline = time.time() + timeout
    while time.time() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= count:
            return
        time.sleep(1)
    raise SystemExit(f"only {len(replies)} of {count} workers answered in {timeout:.0f} s")


def in_process(args, EventSpec, API_VERSION, transaction) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from integrations import drain, services
    from integrations.delivery import deliver_batch
    from integrations.models import Delivery

    erp = Process(target=receiver, args=(args.port, SECRET), daemon=True)
    erp.start()
    time.sleep(1)
    batches: list[list[int]] = []
    services.dispatch = batches.append  # hold the hand-over back
    produce(argparse.Namespace(**{**vars(args), "rate": 0}), services.record_events, EventSpec, API_VERSION, transaction)

    def deliver():
        if args.mode == "batches":
            for ids in batches:
                deliver_batch(ids)
        else:
            for shard in range(drain.shard_count()):
                drain.drain(shard, seconds=1e9, hand_over=False)

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            if profiler:
                profiler.runcall(deliver)
            else:
                deliver()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        erp.terminate()
    if profiler:
        import pstats

        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    delivered = Delivery.objects.filter(state="delivered").count()
    print(f"mode {args.mode}: delivered {delivered} of {args.events} in {wall:.1f} s, one process; load average: {_load()}")
    print(f"cpu_ms_per_event={cpu * 1000 / args.events:.2f} wall_ms_per_event={wall * 1000 / args.events:.2f} "
          f"sql_per_event={len(queries.captured_queries) / args.events:.3f}")


def produce_in_parallel(args):
    """`--producers` processes, each writing its share of the events at its share of the rate,
    over its own SKUs (so each aggregate's sequence has one writer). Returns the commit times,
    and the producers' CPU seconds."""
    import multiprocessing

    from django.db import connection

    connection.close()
    with multiprocessing.get_context("spawn").Pool(args.producers) as pool:
        parts = pool.starmap(_produce_part, [(vars(args), part) for part in range(args.producers)])
    committed = {}
    for part_committed, _ in parts:
        committed.update(part_committed)
    return committed, None, sum(cpu for _, cpu in parts)


def _produce_part(options: dict, part: int):
    import django

    django.setup()
    from django.db import transaction

    from integrations.events import API_VERSION, EventSpec
    from integrations.services import record_events

    count = options["producers"]
    share = options["events"] // count + (1 if part < options["events"] % count else 0)
    args = argparse.Namespace(**{**options, "events": share, "rate": options["rate"] / count, "part": part})
    cpu = time.process_time()
    committed, _ = produce(args, record_events, EventSpec, API_VERSION, transaction)
    return committed, time.process_time() - cpu


def produce(args, record_events, EventSpec, API_VERSION, transaction):
    part, parts = getattr(args, "part", 0), max(1, getattr(args, "producers", 1))
    rng = random.Random(5 + part)
    next_sequence: dict[str, int] = defaultdict(lambda: 1)
    committed: dict[str, float] = {}
    started = time.time()
    for written in range(0, args.events, args.per_txn):
        if args.rate > 0:
            pause = started + written / args.rate - time.time()
            if pause > 0:
                time.sleep(pause)
        specs = []
        for _ in range(min(args.per_txn, args.events - written)):
            sku = f"SKU{rng.randrange(args.skus // parts) * parts + part:05d}"
            seq = next_sequence[sku]
            next_sequence[sku] += 1
            data = {"api_version": API_VERSION, "sequence": seq, "sku": sku, "warehouse": "MAIN", "quantity_on_hand": 100,
                    "quantity_allocated": seq, "quantity_available": 100 - seq, "reason": "order_confirmed"}
            specs.append(EventSpec("stock.updated", "stock", f"{sku}@MAIN", seq, data))
        with transaction.atomic():
            rows = record_events(specs)
        now = time.time()  # on_commit has just handed the batch over
        for row in rows:
            committed[str(row.id)] = now
    return committed, next_sequence


if __name__ == "__main__":
    main()
