"""The Elasticsearch client and index names, from settings (ELASTICSEARCH_URL, ELASTICSEARCH_INDEX)."""

from functools import lru_cache

from django.conf import settings
from elasticsearch import Elasticsearch


class ElasticsearchUnavailable(Exception):
    """Elasticsearch is not configured, not reachable, or has no index behind the alias."""


def alias_name() -> str:
    return getattr(settings, "ELASTICSEARCH_INDEX", "") or "dealermall-products"


@lru_cache(maxsize=4)
def _client(url: str, timeout: float) -> Elasticsearch:
    # One pooled client per process and URL (a connection pool, not a source of truth).
    return Elasticsearch(url, request_timeout=timeout, retry_on_timeout=False, max_retries=1)


def client() -> Elasticsearch:
    url = getattr(settings, "ELASTICSEARCH_URL", "")
    if not url:
        raise ElasticsearchUnavailable("ELASTICSEARCH_URL is not set")
    return _client(url, float(getattr(settings, "ELASTICSEARCH_TIMEOUT_SECONDS", 2.0)))
