"""GraphQL fuzzing against a real server: schemathesis documents for every query and mutation
of /graphql/, sent over HTTP to gunicorn on 127.0.0.1 (production settings), as an anonymous
visitor, the demo dealer buyer and the demo dealer admin (bearer tokens from tokenCreate), and
the erp* mutations also with an ERP app token of every scope.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dm_fuzz .venv/bin/python bench/fuzz.py [--max-requests 10000] [--seconds 1200]

Uses the database `<name>_fuzz` (bench/serve.py builds it on the first run: migrations, the
December 2010 Online Retail sample, setup_demo). Real values of that database (SKUs, order
numbers, ids, search words, categories, dealer codes) feed half of the arguments, so requests
reach the code behind a found object as well as "not found".

Every answer is judged by tests/graphql_fuzzing.py (`judge`): a failure is an HTTP 5xx, a
body that is not a JSON object, an INTERNAL_ERROR, or an error of a running operation without
`extensions.code`. The first few failures are printed with a curl command that reproduces
them; the server log (JSON lines, with tracebacks) is named at the end.

The requests are shared out evenly over (operation, identity) pairs (at least --max-requests
in all: a second round tops up when hypothesis runs out of new documents for a small
operation); identities are interleaved so that a run cut short by --seconds covered each; one document in ten is a negative one
(it breaks the schema: the server must refuse it with 400). Sign-in lockout and rate limits
are off on this server (LOGIN_FAILURE_LIMIT, RATE_LIMITS_ENABLED=0; --production-limits leaves
them on): the fuzzer sends thousands of requests a minute from one address and would
otherwise fuzz mostly the 429 answer; those limits have their own tests.
Last line: `requests=<n> server_errors=<n>` (server_errors: every failure above).
"""

import argparse
import json
import math
import os
import re
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serve  # noqa: E402 - bench/ is not a package

TOKEN_CREATE = "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { token errors { code } } }"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-requests", type=int, default=10_000, help="generated requests in all (default 10,000)")
    parser.add_argument("--seconds", type=float, default=1800, help="stop starting new operations after this long")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: a new one, printed)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=2, help="requests in flight at once")
    parser.add_argument("--show", type=int, default=5, help="failures to print in full")
    parser.add_argument("--only", nargs="*", help="fuzz only these root fields (e.g. cartAddLines products)")
    parser.add_argument("--production-limits", action="store_true", help="keep sign-in lockout and rate limits on")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")

    database_url = serve.bench_database_url("fuzz")
    serve.ensure_database(database_url, rebuild=args.rebuild)
    from tests.graphql_fuzzing import (
        Failure,
        Tally,
        first_of_each_kind,
        fuzz_operation,
        judge,
        operations,
    )

    serve.give_credit([serve.demo_company()])
    values = real_values()
    ops = operations(values, include=args.only)
    env = {} if args.production_limits else {"LOGIN_FAILURE_LIMIT": "1000000", "RATE_LIMITS_ENABLED": "0"}
    from storefront.management.commands.setup_demo import (
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
        DEALER_EMAIL,
        DEALER_PASSWORD,
    )

    logins = {"anonymous": None, "buyer": (DEALER_EMAIL, DEALER_PASSWORD), "admin": (ADMIN_EMAIL, ADMIN_PASSWORD),
              "erp": _app_token()}
    # The ERP's app token opens only the erp* mutations; elsewhere it is nobody (as anonymous).
    pairs = [(op, identity) for op in ops for identity in logins
             if (identity == "erp") == op.label.startswith("Mutation.erp") or identity == "anonymous"]
    per_pair = max(1, math.ceil(args.max_requests / len(pairs)))  # at least the share of each
    print(f"{len(ops)} operations, {len(pairs)} (operation, identity) pairs, {per_pair} documents each, seed {seed}", flush=True)

    tally = Tally()
    refusals = Counter()
    lock = threading.Lock()
    with serve.Server(database_url, workers=args.workers, env=env) as server:
        endpoint = f"{server.url}/graphql/"
        sessions = {identity: Identity(endpoint, login) for identity, login in logins.items()}
        # Documents are generated in this thread while up to --clients requests are in flight,
        # so generating (about as slow as answering) and answering overlap.
        pool = ThreadPoolExecutor(max_workers=args.clients)
        in_flight = threading.BoundedSemaphore(2 * args.clients)
        submitted = 0
        started = time.monotonic()
        covered = 0

        def record(future, operation, identity, query):
            try:
                status, content = future.result()
            except requests.RequestException as exc:  # no answer at all (connection reset, timeout)
                status, content = 599, f"no answer: {exc}".encode()
            with lock:
                tally.requests += 1
                tally.statuses[status] += 1
                reason, codes = judge(status, content)
                tally.codes.update(codes)
                if status == 400:
                    refusals[_first_message(content)] += 1
                if reason:
                    tally.failure_kinds[reason] += 1
                    tally.failures.append(Failure(reason, operation.label, identity, query, status, content.decode(errors="replace")))
            in_flight.release()

        # Every pair gets its share in the first round; further rounds (new seeds) top up when
        # hypothesis ran out of new documents for small operations (`me` has few).
        rounds = 0
        while submitted < args.max_requests and time.monotonic() - started <= args.seconds and rounds < 5:
            for index, (operation, identity) in enumerate(pairs):
                if (rounds and submitted >= args.max_requests) or time.monotonic() - started > args.seconds:
                    break

                def send(query, operation=operation, identity=identity, top_up=rounds > 0):
                    nonlocal submitted
                    if top_up and submitted >= args.max_requests:
                        return
                    submitted += 1
                    in_flight.acquire()
                    future = pool.submit(sessions[identity].post, query)
                    future.add_done_callback(lambda done: record(done, operation, identity, query))

                fuzz_operation(operation, per_pair, send, seed=seed + rounds * len(pairs) + index, negative_share=10)
                covered += rounds == 0
                if (index + 1) % 30 == 0:
                    print(f"  {submitted} requests, {tally.server_errors} failures, {time.monotonic() - started:.0f} s", flush=True)
            rounds += 1
        pool.shutdown(wait=True)
        elapsed = time.monotonic() - started

    print(f"\n{tally.requests} requests in {elapsed:.0f} s ({tally.requests / elapsed:.1f}/s), "
          f"{covered} of {len(pairs)} (operation, identity) pairs, {rounds} round(s), {args.clients} clients, "
          f"load average {os.getloadavg()[0]:.2f}")
    print("HTTP statuses: " + ", ".join(f"{status}: {n}" for status, n in sorted(tally.statuses.items())))
    print("error codes seen: " + ", ".join(f"{code} {n}" for code, n in tally.codes.most_common(25)))
    print("most frequent 400 answers: " + "; ".join(f"{n} x {text}" for text, n in refusals.most_common(6)))
    if tally.failures:
        print("failures: " + ", ".join(f"{kind} {n}" for kind, n in tally.failure_kinds.most_common()))
        for failure in first_of_each_kind(tally.failures)[: args.show]:
            print("\n" + failure.describe(endpoint))
    print(f"server log: {server.log_path}")
    print(f"requests={tally.requests} server_errors={tally.server_errors}")


def _app_token() -> str:
    """A new ERP app token with every scope (the raw token; tokens are stored hashed)."""
    from integrations.inbound.models import Scope
    from integrations.inbound.tokens import create_token

    return create_token("fuzz", Scope.values)[1]


class Identity:
    """One client: anonymous, an ERP app token (a str), or signed in with a bearer token from
    tokenCreate (made again if a fuzzed mutation ended it, e.g. signing out)."""

    def __init__(self, endpoint: str, login):
        self.endpoint = endpoint
        self.login = login if isinstance(login, tuple) else None
        self.local = threading.local()  # a connection per client thread
        self.lock = threading.Lock()
        self.token = self._sign_in() if self.login else login

    @property
    def http(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def _sign_in_again(self, stale: str) -> None:
        with self.lock:
            if self.token == stale:  # not yet renewed by another thread
                self.token = self._sign_in()

    def _sign_in(self) -> str:
        email, password = self.login
        answer = self.http.post(self.endpoint, json={"query": TOKEN_CREATE, "variables": {"e": email, "p": password}}, timeout=60)
        token = answer.json()["data"]["tokenCreate"]["token"]
        if not token:
            sys.exit(f"tokenCreate for {email} failed: {answer.text}")
        return token

    def post(self, query: str) -> tuple[int, bytes]:
        for attempt in range(2):
            token = self.token
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            answer = self.http.post(self.endpoint, data=json.dumps({"query": query}), timeout=120,
                                    headers={"Content-Type": "application/json", **headers})
            if answer.status_code == 401 and self.login and attempt == 0:
                self._sign_in_again(token)  # the token was revoked by a fuzzed mutation: sign in again
                continue
            return answer.status_code, answer.content
        return answer.status_code, answer.content


def _first_message(content: bytes) -> str:
    try:
        message = json.loads(content)["errors"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        return content[:60].decode(errors="replace")
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "…", message)[:70]


def real_values() -> dict[str, list]:
    """Values of the fuzz database for the dictionaries of tests/graphql_fuzzing.py."""
    from django.db.models import Count

    from catalog.models import Category, Variant
    from partners.models import Company, Membership
    from storefront.models import Order, OrderLine

    company = serve.demo_company()
    other = Company.objects.exclude(pk=company.pk).annotate(n=Count("orders")).order_by("-n").first()
    bought = OrderLine.objects.filter(order__company=company, variant__isnull=False).values_list("sku", flat=True)
    skus = sorted(set(bought))[:40] + list(Variant.objects.order_by("sku").values_list("sku", flat=True)[:10])
    own_orders = list(Order.objects.filter(company=company).order_by("-id").values_list("number", flat=True)[:10])
    other_orders = list(Order.objects.filter(company=other).order_by("-id").values_list("number", flat=True)[:5])
    words = {w.lower().strip(",.") for name in Variant.objects.values_list("product__name", flat=True)[:200]
             for w in name.split() if len(w) > 3}
    try:
        from billing.models import Invoice

        invoices = list(Invoice.objects.filter(company=company).values_list("number", flat=True)[:5])
    except ImportError:
        invoices = []
    ids = sorted({str(n) for n in range(1, 6)} | {str(pk) for pk in Membership.objects.filter(company=company).values_list("user_id", flat=True)})
    return {
        "sku": skus + ["NOPE-1", "85123A", "POST"],
        "order_number": own_orders + other_orders,
        "thread_key": own_orders[:3] + other_orders[:2] + ["1"],
        "id": ids,
        "search": sorted(words)[:40] + ["lantern", "heart", "8512"],
        "category": list(Category.objects.values_list("slug", flat=True)[:10]),
        "first": [0, 1, 2, 10, 48, 100],
        "cursor": ["YXJyYXljb25uZWN0aW9uOjA=", "YXJyYXljb25uZWN0aW9uOjk5"],
        "email": ["dealer@demo.test", "admin@demo.test", "staff@demo.test", "DEALER@demo.test "],
        "slug": ["safety-basics"],
        "dealer_code": [company.code, other.code],
        "invoice": invoices or ["INV-2010-000001"],
        "voucher": ["WINTER5"],
        "currency": ["GBP", "EUR", "USD"],
    }


if __name__ == "__main__":
    main()
