"""Gunicorn settings for the web process: `gunicorn -c python:operations.gunicorn_conf mall.wsgi:application`.

Prometheus multi-process mode: each worker writes its metrics to files in
PROMETHEUS_MULTIPROC_DIR and /metrics adds them up. The folder is emptied when the server
starts (files of an earlier run would be added to this run's counts), and a worker that
exits is marked dead so its live figures stop counting.
"""

import os
import shutil
from pathlib import Path

from prometheus_client import multiprocess

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# The application writes one JSON access line per request (logger mall.request); no second one.
accesslog = None
errorlog = "-"


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def post_worker_init(worker):
    # A worker's first chart costs half a second of font loading: pay it before requests come.
    from insights.charts import warm_up

    warm_up()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
