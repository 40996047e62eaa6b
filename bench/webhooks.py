"""Webhook benchmark: 10,000 events through the outbox, a real Redis broker and two Celery
workers, to a local HTTP receiver that answers 200 at once.

    .venv/bin/python bench/webhooks.py [--events 10000] [--rate 1000] [--workers 2]

Builds a fresh database `dm_erp_bench` (dropped and made again; DATABASE_URL's host is used),
starts a receiver process on 127.0.0.1 and `--workers` Celery worker processes (solo pool),
then writes the events in transactions of `--per-txn` (default 10, like a checkout) at
`--rate` events/s over 2,000 SKUs. Latency is commit -> receipt (the producer notes the time
right after each commit, the receiver the time each POST arrives). It checks that every event
arrived, each id once after de-duplication, in order per aggregate.
Last line: `events_per_s=<n> p50_ms=<n> p95_ms=<n>`.

    .venv/bin/python bench/webhooks.py --in-process [--events 2000]

measures the delivery path alone, a figure that depends little on how busy the machine is:
the events are written first (the hand-over after commit held back), then each transaction's
batch is delivered in this process to the receiver. Last line:
`cpu_ms_per_event=<n> wall_ms_per_event=<n> sql_per_event=<n>` (this process's CPU time, and
SQL statements, BEGIN/COMMIT included, per event).
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Process
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BROKER = "redis://127.0.0.1:6379/13"
BENCH_DB = "dm_erp_bench"


def receiver(port: int) -> None:
    """The ERP: note (event id, aggregate, sequence, arrival time) of every POST; GET /stats."""
    receipts: list = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real ERP behind a load balancer
        disable_nagle_algorithm = True  # answer in one segment, no 40 ms delayed-ACK stall

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            arrived = time.time()
            event = json.loads(body)
            with lock:
                receipts.append((event["id"], event["data"]["sku"], event["data"]["sequence"], arrived))
            self._answer(b'{"ok":true}')

        def do_GET(self):  # noqa: N802
            with lock:
                payload = json.dumps(receipts).encode()
            self._answer(payload)

        def _answer(self, payload: bytes):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):
            """quiet"""

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=1000.0, help="events offered per second")
    parser.add_argument("--per-txn", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skus", type=int, default=2000)
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--in-process", action="store_true", help="the delivery path's cost per event, no Celery")
    args = parser.parse_args()

    url = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealermall"))
    _recreate_database(url, BENCH_DB)
    bench_url = urlunparse(url._replace(path="/" + BENCH_DB))
    os.environ.update(DATABASE_URL=bench_url, CELERY_BROKER_URL=BROKER, DJANGO_SETTINGS_MODULE="mall.settings", LOG_LEVEL="WARNING")

    import django
    import redis

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from integrations.events import API_VERSION, EventSpec
    from integrations.models import Delivery, WebhookEndpoint
    from integrations.services import record_events

    call_command("migrate", verbosity=0)
    WebhookEndpoint.objects.create(url=f"http://127.0.0.1:{args.port}/erp", secret="bench-secret", event_types=["*"])
    if args.in_process:
        return in_process(args, EventSpec, API_VERSION, transaction)
    redis.Redis.from_url(BROKER).flushdb()

    logs = [Path(tempfile.gettempdir()) / f"bench_webhooks_worker{n}.log" for n in range(args.workers)]
    erp = Process(target=receiver, args=(args.port,), daemon=True)
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
    try:
        committed, sequences = produce(args, record_events, EventSpec, API_VERSION, transaction)
        receipts = wait_for(args, len(committed))
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        erp.terminate()
        redis.Redis.from_url(BROKER).flushdb()
    report(committed, sequences, receipts, Delivery)
    for log in logs:
        errors = [line for line in log.read_text(errors="replace").splitlines() if "Error" in line or "Traceback" in line]
        if errors:
            print(f"{log}: {len(errors)} error lines, the last: {errors[-1][:300]}")


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

    from integrations import services
    from integrations.delivery import deliver_batch
    from integrations.models import Delivery

    erp = Process(target=receiver, args=(args.port,), daemon=True)
    erp.start()
    time.sleep(1)
    batches: list[list[int]] = []
    services.dispatch = batches.append  # hold the hand-over back: deliver below, timed
    produce(argparse.Namespace(**{**vars(args), "rate": 1e9}), services.record_events, EventSpec, API_VERSION, transaction)
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            for ids in batches:
                deliver_batch(ids)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        erp.terminate()
    delivered = Delivery.objects.filter(state="delivered").count()
    print(f"delivered {delivered} of {args.events} in {wall:.1f} s, one process")
    print(f"cpu_ms_per_event={cpu * 1000 / args.events:.2f} wall_ms_per_event={wall * 1000 / args.events:.2f} "
          f"sql_per_event={len(queries.captured_queries) / args.events:.2f}")


def produce(args, record_events, EventSpec, API_VERSION, transaction):
    rng = random.Random(5)
    next_sequence: dict[str, int] = defaultdict(lambda: 1)
    committed: dict[str, float] = {}
    started = time.time()
    for written in range(0, args.events, args.per_txn):
        due = started + written / args.rate
        pause = due - time.time()
        if pause > 0:
            time.sleep(pause)
        specs = []
        for _ in range(min(args.per_txn, args.events - written)):
            sku = f"SKU{rng.randrange(args.skus):05d}"
            seq = next_sequence[sku]
            next_sequence[sku] += 1
            data = {"api_version": API_VERSION, "sequence": seq, "sku": sku, "warehouse": "MAIN", "quantity_on_hand": 100,
                    "quantity_allocated": seq, "quantity_available": 100 - seq, "reason": "order_confirmed"}
            specs.append(EventSpec("stock.updated", "stock", f"{sku}@MAIN", seq, data))
        with transaction.atomic():
            rows = record_events(specs)
        now = time.time()  # on_commit has just handed the batch to the broker
        for row in rows:
            committed[str(row.id)] = now
    return committed, next_sequence


def wait_for(args, expected: int, timeout: float = 300.0):
    import requests

    deadline = time.time() + timeout
    while True:
        receipts = requests.get(f"http://127.0.0.1:{args.port}/stats", timeout=30).json()
        if len({r[0] for r in receipts}) >= expected or time.time() > deadline:
            return receipts
        time.sleep(0.5)


def report(committed, sequences, receipts, Delivery) -> None:
    first_seen: dict[str, float] = {}
    per_sku = defaultdict(list)
    for event_id, sku, seq, arrived in receipts:
        first_seen.setdefault(event_id, arrived)
        per_sku[sku].append(seq)
    missing = set(committed) - set(first_seen)
    out_of_order = [sku for sku, seqs in per_sku.items() if seqs != sorted(seqs)]
    latencies = sorted((first_seen[i] - committed[i]) * 1000 for i in committed if i in first_seen)
    span = max(first_seen.values()) - min(committed.values())
    rate = len(first_seen) / span if span > 0 else 0.0
    p50 = statistics.median(latencies) if latencies else 0.0
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
    print(f"events committed: {len(committed)}; received: {len(receipts)} POSTs, {len(first_seen)} distinct ids; missing: {len(missing)}")
    print(f"aggregates out of order: {len(out_of_order)}; deliveries not delivered: {Delivery.objects.exclude(state='delivered').count()}")
    print(f"commit -> receipt: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {latencies[-1] if latencies else 0:.1f} ms")
    print(f"events_per_s={rate:.0f} p50_ms={p50:.0f} p95_ms={p95:.0f}")


def _recreate_database(url, name: str) -> None:
    import psycopg

    admin = urlunparse(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
