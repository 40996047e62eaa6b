"""Real Celery for tests: point this process at a broker, and run a worker process against the
test database. Used by the Celery delivery test and the broker-outage test."""

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from django.db import connection
from kombu import pools as kombu_pools

from mall.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def forget_broker_connections():
    """Celery caches its connection and producer pools for the broker it first talked to; an
    earlier test in this process (e.g. a task sent while another broker was configured) would
    otherwise make this test publish to that broker instead of the one it set."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu_pools.reset()


@contextmanager
def using_broker(settings, url: str):
    """This process publishes tasks to `url` for real (not eagerly) inside the block."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    settings.CELERY_BROKER_URL = url
    celery_app.conf.update(broker_url=url, task_always_eager=False)
    forget_broker_connections()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        forget_broker_connections()


@contextmanager
def celery_worker(broker_url: str, *, stop_timeout: float = 30):
    """A `celery worker` process (solo pool) on `broker_url` and the test database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mall", "worker", "--pool", "solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=stop_timeout)
