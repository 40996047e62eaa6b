"""Catalog search: one interface (`search_products`), backends chosen by settings.

See docs/search.md. PostgreSQL full-text search (postgres.py) is the default on PostgreSQL,
plain matching (plain.py) on SQLite, Elasticsearch (elastic/) when configured.
"""

from .api import backend_name, search_products
from .types import (
    CategoryCount,
    Facets,
    PageRequest,
    PriceRangeCount,
    SearchError,
    SearchFilters,
    SearchResult,
    Sort,
    clean_query,
    parse_price,
)

__all__ = [
    "CategoryCount",
    "Facets",
    "PageRequest",
    "PriceRangeCount",
    "SearchError",
    "SearchFilters",
    "SearchResult",
    "Sort",
    "backend_name",
    "clean_query",
    "parse_price",
    "search_products",
]
