"""What bench/fuzz.py and bench/load.py share: the database they run against and the real
server (gunicorn on 127.0.0.1) they send requests to.

The database `<name>_fuzz` (from DATABASE_URL's name) is made on first use: migrations, the
December 2010 Online Retail sample imported as catalog, dealers and history, and the demo
logins of `setup_demo`. Every run then gives the dealers it signs in as enough credit to
order on account (a large limit and finance's hold released for a year: the imported history's
invoices of 2010 are long overdue, which would stop orders on account otherwise).

The server runs with production settings: DEBUG=0 (production error answers, no debug pages,
no query log), GraphiQL off, a random SECRET_KEY, JSON logs to a file. Only HTTPS is off
(HTTPS=0): the benchmarks speak plain HTTP to 127.0.0.1, and with HTTPS on every request
would be redirected to https:// (SECURE_SSL_REDIRECT), which nothing listens to here.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "online-retail-2010-12.csv.gz"
CREDIT_LIMIT = Decimal("100000000.00")
LOAD_PASSWORD = "load-dealer-password-1"


def bench_database_url(suffix: str = "fuzz") -> str:
    """DATABASE_URL with `_<suffix>` added to its name (the caller's own database stays untouched)."""
    url = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealermall"))
    if not url.scheme.startswith("postgres"):
        sys.exit("the benchmarks run on PostgreSQL: set DATABASE_URL to a postgres:// URL")
    return urlunparse(url._replace(path="/" + (url.path.lstrip("/") or "dealermall") + "_" + suffix))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_database(database_url: str, rebuild: bool = False) -> None:
    """Make the database if it is missing (or on rebuild), then set Django up on it and load
    the sample and the demo logins if they are not there yet."""
    from bench_database import ensure_database as make_database

    make_database(database_url, rebuild)
    setup_django(database_url)
    from django.core.management import call_command

    from catalog.models import Variant

    call_command("migrate", verbosity=0)
    if not Variant.objects.exists():
        from storefront.online_retail.importer import import_online_retail

        started = time.monotonic()
        report = import_online_retail([SAMPLE])
        print(f"imported {SAMPLE.name}: {Variant.objects.count()} SKUs, {report.orders_created} orders "
              f"in {time.monotonic() - started:.0f} s", flush=True)
    call_command("setup_demo", verbosity=0)


def give_credit(companies) -> None:
    """Let these dealers order on account for the whole run (see the module docstring)."""
    from django.utils import timezone

    from partners.models import CreditAccount

    for company in companies:
        CreditAccount.objects.update_or_create(
            company=company,
            defaults={"credit_limit": CREDIT_LIMIT, "on_hold": False,
                      "hold_released_until": timezone.localdate() + timedelta(days=365),
                      "currency": company.currency},
        )


def demo_company():
    from django.contrib.auth import get_user_model

    from storefront.management.commands.setup_demo import DEALER_EMAIL

    return get_user_model().objects.select_related("membership__company").get(username=DEALER_EMAIL).membership.company


def load_dealers(count: int) -> list[str]:
    """`count` buyers, each of a different imported dealer (the busiest first), with no order
    limit (orders are placed, not sent for approval) and credit; their e-mail addresses.
    They all have the password LOAD_PASSWORD. Safe to run again."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    from partners.models import Company, Membership

    User = get_user_model()
    companies = list(Company.objects.annotate(n=Count("orders")).order_by("-n", "code")[:count])
    if len(companies) < count:
        sys.exit(f"only {len(companies)} dealers in the database; ask for fewer users")
    password = make_password(LOAD_PASSWORD)  # hashed once, not once per user
    emails = []
    for index, company in enumerate(companies, start=1):
        email = f"load-{index:03d}@bench.test"
        user, _ = User.objects.update_or_create(username=email, defaults={"email": email, "password": password, "is_active": True})
        Membership.objects.update_or_create(
            user=user, defaults={"company": company, "role": Membership.Role.BUYER, "order_limit": None}
        )
        emails.append(email)
    give_credit(companies)
    return emails


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving mall.wsgi on 127.0.0.1 with production settings, for a `with` block."""

    def __init__(self, database_url: str, *, workers: int = 2, env: dict | None = None, log_path: Path | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or Path(f"/tmp/dealermall-bench-{self.port}.log")
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "mall.settings",
            "DEBUG": "0",
            "HTTPS": "0",
            "GRAPHIQL": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": self.url,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            **(env or {}),
        }
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.process = None

    def __enter__(self) -> "Server":
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "python:operations.gunicorn_conf", "mall.wsgi:application"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.__exit__()
        sys.exit(f"gunicorn did not answer /healthz within 90 s; see {self.log_path}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
