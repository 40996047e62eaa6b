"""The one search interface: `search_products(query, company=..., filters=..., sort=..., page=...)`.

The backend comes from settings.SEARCH_BACKEND: "postgres" (the default on PostgreSQL),
"elasticsearch" (needs ELASTICSEARCH_URL) or "plain" (the default on SQLite). When
Elasticsearch cannot answer, the database answers instead (logged), so a dealer still gets
a result page.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from partners.models import Company

from .dealer_prices import dealer_pricing
from .elastic.backend import ElasticsearchBackend
from .elastic.client import ElasticsearchUnavailable
from .plain import PlainBackend
from .postgres import PostgresBackend
from .types import (
    Facets,
    PageRequest,
    PriceRangeCount,
    SearchFilters,
    SearchResult,
    Sort,
    check_request,
    clean_query,
    holds_impossible_text,
)

logger = logging.getLogger(__name__)

BACKENDS = ("postgres", "elasticsearch", "plain")


def backend_name() -> str:
    """The configured backend; "postgres" is only possible on PostgreSQL (else "plain")."""
    chosen = getattr(settings, "SEARCH_BACKEND", "") or ("postgres" if connection.vendor == "postgresql" else "plain")
    if chosen == "postgres" and connection.vendor != "postgresql":
        return "plain"
    return chosen if chosen in BACKENDS else "plain"


def database_backend():
    return PostgresBackend() if connection.vendor == "postgresql" else PlainBackend()


def get_backend(name: str | None = None):
    name = name or backend_name()
    if name == "elasticsearch":
        return ElasticsearchBackend()
    if name == "postgres":
        return PostgresBackend()
    return PlainBackend()


def nothing_found(pricing, backend: str) -> SearchResult:
    """An empty result with the facets a dealer's result always has (price ranges at 0)."""
    ranges = [PriceRangeCount(low, high, 0, pricing.currency) for low, high, _, _ in pricing.ranges()] if pricing else []
    facets = Facets(price_ranges=ranges, on_promotion=0 if pricing else None)
    return SearchResult(hits=[], total=0, facets=facets, backend=backend, promotions=pricing.promotions if pricing else ())


def search_products(
    query: str | None,
    *,
    company: Company | None,
    filters: SearchFilters | None = None,
    sort: Sort | str = Sort.RELEVANCE,
    page: PageRequest | None = None,
    moment: datetime | None = None,
    backend: str | None = None,
) -> SearchResult:
    """Active SKUs matching `query` that this dealer may see (`company` None: a visitor, who
    gets no prices, so no price sort or filter: SearchError SIGN_IN_FOR_PRICES).

    Raises SearchError (a DomainError with field/code/message) for bad sorts, price ranges or
    pages; never for the query text, whatever it holds."""
    filters = filters or SearchFilters()
    page = page or PageRequest()
    chosen_sort = check_request(filters, sort, page, has_dealer=company is not None)
    text = clean_query(query)
    pricing = dealer_pricing(company, moment or timezone.now())
    engine = get_backend(backend)
    if holds_impossible_text(query):
        return nothing_found(pricing, engine.name)
    try:
        return engine.search(text, pricing=pricing, filters=filters, sort=chosen_sort, page=page)
    except ElasticsearchUnavailable as error:
        logger.warning("Elasticsearch did not answer (%s); searching the database instead", error)
        return database_backend().search(text, pricing=pricing, filters=filters, sort=chosen_sort, page=page)
