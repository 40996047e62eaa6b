"""Keeping the search indexes current, called explicitly by the services that write the catalog.

- `catalog_changed(ids)`: a SKU's text (SKU, names, category, description) changed: its
  PostgreSQL document is rewritten now, in the caller's transaction; Elasticsearch after commit.
- `stock_or_prices_changed(ids)`: the in-stock flag and list price on the PostgreSQL
  documents are brought up to date now (only rows whose value changed are written);
  Elasticsearch after commit.
Indexing for Elasticsearch is a Celery task (catalog.search.tasks.index_variants) sent after
commit; with no broker it runs in-process. A failure never reaches the caller's request: the
task logs it and `manage.py reindex` (or the next change) repairs the index.
"""

import logging
from collections.abc import Iterable
from functools import partial

from django.db import transaction

from .api import backend_name
from .documents import refresh_documents, refresh_stock_and_prices
from .tasks import index_variants

logger = logging.getLogger(__name__)


def _send(ids: list[int]) -> None:
    try:
        index_variants.delay(ids)
    except Exception:
        logger.exception("search indexing of %d SKUs not queued; run manage.py reindex", len(ids))


def queue_for_elasticsearch(variant_ids: Iterable[int]) -> None:
    if backend_name() != "elasticsearch":
        return
    ids = sorted({int(i) for i in variant_ids})
    if ids:
        transaction.on_commit(partial(_send, ids), robust=True)


def catalog_changed(variant_ids: Iterable[int]) -> None:
    ids = sorted({int(i) for i in variant_ids})
    refresh_documents(ids)
    queue_for_elasticsearch(ids)


def stock_or_prices_changed(variant_ids: Iterable[int]) -> None:
    ids = sorted({int(i) for i in variant_ids})
    refresh_stock_and_prices(ids)
    queue_for_elasticsearch(ids)
