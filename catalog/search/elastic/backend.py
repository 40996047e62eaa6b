"""Search with Elasticsearch: the request from queries.py, the hits read back from the
database (so a dealer only ever sees SKUs that are active now, with live stock), the facets
from the aggregations."""

from elasticsearch import ApiError, TransportError

from catalog.models import Category

from ..database import searchable_variants
from ..dealer_prices import DealerPricing
from ..types import (
    CategoryCount,
    Facets,
    PageRequest,
    PriceRangeCount,
    SearchError,
    SearchFilters,
    SearchResult,
    Sort,
)
from .client import ElasticsearchUnavailable, alias_name, client
from .queries import build_search

# Elasticsearch's index.max_result_window: deeper pages need search_after, not offsets.
MAX_RESULT_WINDOW = 10_000

__all__ = ["ElasticsearchBackend", "ElasticsearchUnavailable", "result_from_response"]


class ElasticsearchBackend:
    name = "elasticsearch"

    def search(
        self, query: str, *, pricing: DealerPricing | None, filters: SearchFilters, sort: Sort, page: PageRequest
    ) -> SearchResult:
        if page.offset + page.limit > MAX_RESULT_WINDOW:
            raise SearchError.of("after", "PAGE_TOO_DEEP", f"Only the first {MAX_RESULT_WINDOW} results can be paged through.")
        request = build_search(query, pricing=pricing, filters=filters, sort=sort, page=page, index=alias_name())
        try:
            body = request.using(client()).execute().to_dict()
        except (ApiError, TransportError) as error:
            raise ElasticsearchUnavailable(str(error)) from error
        return result_from_response(body, pricing)


def result_from_response(body: dict, pricing: DealerPricing | None) -> SearchResult:
    """A SearchResult from Elasticsearch's JSON answer: hits in its order, loaded from the
    database in one query (SKUs deactivated since they were indexed are left out)."""
    ids = [int(hit["_id"]) for hit in body.get("hits", {}).get("hits", [])]
    rows = {v.pk: v for v in searchable_variants().filter(pk__in=ids).select_related("product__category")} if ids else {}
    hits = [rows[i] for i in ids if i in rows]
    total = int(body.get("hits", {}).get("total", {}).get("value", 0))
    aggregations = body.get("aggregations", {})
    buckets = aggregations.get("categories", {}).get("buckets", [])
    names = dict(Category.objects.filter(slug__in=[b["key"] for b in buckets]).values_list("slug", "name")) if buckets else {}
    categories = sorted(
        (CategoryCount(slug=b["key"], name=names.get(b["key"], b["key"]), count=int(b["doc_count"])) for b in buckets),
        key=lambda c: (-c.count, c.name, c.slug),
    )
    chosen = aggregations.get("chosen", {})
    price_ranges = []
    if pricing is not None:
        counts = [int(b.get("doc_count", 0)) for b in chosen.get("prices", {}).get("buckets", [])]
        for i, (low, high, _, _) in enumerate(pricing.ranges()):
            price_ranges.append(
                PriceRangeCount(min=low, max=high, count=counts[i] if i < len(counts) else 0, currency=pricing.currency)
            )
    facets = Facets(
        categories=categories,
        in_stock=int(chosen.get("in_stock", {}).get("doc_count", 0)),
        on_promotion=int(chosen.get("on_promotion", {}).get("doc_count", 0)) if pricing is not None else None,
        price_ranges=price_ranges,
    )
    return SearchResult(
        hits=hits,
        total=total,
        facets=facets,
        backend=ElasticsearchBackend.name,
        promotions=pricing.promotions if pricing else (),
    )
