"""Celery tasks of search (listed in settings.CELERY_IMPORTS). Both are idempotent."""

import logging

from celery import shared_task

from .documents import refresh_units_sold as refresh_units_sold_now
from .elastic.client import ElasticsearchUnavailable
from .elastic.indexing import index_variants as index_in_elasticsearch

logger = logging.getLogger(__name__)


@shared_task(name="catalog.search.index_variants", ignore_result=True)
def index_variants(variant_ids: list[int]) -> int:
    """Index these SKUs in Elasticsearch (deleting the ones no longer visible)."""
    try:
        return index_in_elasticsearch(variant_ids)
    except ElasticsearchUnavailable as error:
        logger.warning("search indexing skipped: %s", error)
        return 0
    except Exception:
        logger.exception("search indexing of %d SKUs failed; run manage.py reindex", len(variant_ids))
        return 0


@shared_task(name="catalog.search.refresh_units_sold", ignore_result=True)
def refresh_units_sold() -> int:
    """Recount units sold per SKU (the best-selling sort); beat runs it, see settings."""
    return refresh_units_sold_now()
