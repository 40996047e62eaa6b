"""PostgreSQL full-text search over catalog.SearchDocument: one table answers a search.

The document carries what filters, facets and sorts read (visibility, category, list price
and currency, in stock, units sold, the product's name and age), so a search is two indexed
queries over `catalog_searchdocument` alone (plus the dealer's explicit prices, joined by
SKU): one for the total and all the facets, one for the page's ids; then the page's SKUs are
read (one query) with their live stock, product and category, and anything deactivated
since the document was written is dropped.

A SKU matches when (each served by an index, see migrations 0002 and 0005):
- the weighted vector matches the text as a web search (`websearch_to_tsquery`, which never
  fails on user input: quotes, `-`, `or`, `&`, `/` are read as words or web operators), in
  the `english` configuration (stems) and in `simple` (as typed, for SKUs and codes); a
  one-token text with a digit is also a prefix (`85123:*`) of the SKU's parts;
- the SKU starts with the text (btree prefix index);
- text with non-Latin letters (e.g. Chinese, which has no spaces between words) is found as a
  substring of the names as well (trigram index);
- only when nothing matched that way: the SKU contains the text (a partial SKU), or the text
  matches with its unknown words read as their closest dictionary words (typos, spelling.py).
Ranking: an exact SKU first, then SKU prefixes, then ts_rank (weights A-D), for typos plus the
trigram word similarity of the text to the SKU and names.
A broad text (more than RANK_CANDIDATES matches) is ranked among the best candidates only:
SKU prefixes, then matches holding the words in SKU or names (weights A/B), best-selling
first, so ts_rank never runs over thousands of rows.
"""

import json

from django.conf import settings
from django.db import connection

from . import spelling
from .database import load_hits
from .dealer_prices import DealerPricing
from .postgres_sql import (
    TSQUERY,
    Matches,
    Sql,
    category_ids,
    fuzzy_can_match,
    like_prefix,
    matches,
    relevance_sql,
)
from .types import (
    CategoryCount,
    Facets,
    PageRequest,
    PriceRangeCount,
    SearchFilters,
    SearchResult,
    Sort,
)

# Facets count at most this many matches (settings.SEARCH_FACET_LIMIT); beyond it the total
# is a lower bound (SearchResult.total_is_lower_bound) and the facet counts describe the first
# that many matches, as large shops do: counting every match of a word in 200,000 SKUs costs
# a visit to every matching row.
DEFAULT_FACET_LIMIT = 2_000
# Relevance (ts_rank) is worked out for this many candidates at most: the SKU matches and the
# best-selling matches of a broad text, not every match (about four pages of 48; 500 cost a
# broad search 3 ms more, bench/search.py).
RANK_CANDIDATES = 200

__all__ = ["TSQUERY", "PostgresBackend"]


def facet_limit() -> int:
    return int(getattr(settings, "SEARCH_FACET_LIMIT", DEFAULT_FACET_LIMIT))


def ordering(sort: Sort, *, ranked: bool) -> str:
    by_name = "m.product_name, m.sku"
    if sort is Sort.PRICE_ASC:
        return f"m.price ASC NULLS LAST, {by_name}"
    if sort is Sort.PRICE_DESC:
        return f"m.price DESC NULLS LAST, {by_name}"
    if sort is Sort.NEWEST:
        return "m.product_created_at DESC NULLS LAST, m.product_id DESC, m.sku"
    if sort is Sort.BEST_SELLING:
        return f"m.units_sold DESC, {by_name}"
    if ranked:
        return f"relevance DESC, {by_name}"
    return by_name


def _groups(pricing: DealerPricing | None) -> tuple[str, list, list]:
    """The facet groups over the counted matches `m`: per category, matches, in stock, on
    promotion, then one count per price range. Counted in two steps: the matches grouped by
    category, stock, promotion and price range (`width_bucket`: one binary search per match
    instead of a comparison per range), then those few groups summed per category."""
    ranges = pricing.ranges() if pricing is not None else []
    if pricing is None:
        inner = "SELECT m.category_id, m.in_stock, COUNT(*) AS n FROM (SELECT * FROM m LIMIT %s) m GROUP BY 1, 2"
        sums = ["SUM(x.n) FILTER (WHERE x.in_stock)"]
        return f"SELECT x.category_id, SUM(x.n) AS n, {sums[0]} AS s0 FROM ({inner}) x GROUP BY x.category_id", [], ranges
    # The ranges are contiguous: range i holds raw_from(i) <= price < raw_from(i + 1), the last
    # has no upper end, so width_bucket over the lower ends gives i + 1 (no price: NULL).
    edges = [raw_from for _, _, raw_from, _ in ranges]
    inner = (
        "SELECT m.category_id, m.in_stock, m.promo, width_bucket(m.price, %s::numeric[]) AS b, COUNT(*) AS n "
        "FROM (SELECT * FROM m LIMIT %s) m GROUP BY 1, 2, 3, 4"
    )
    sums = ["SUM(x.n) FILTER (WHERE x.in_stock)", "SUM(x.n) FILTER (WHERE x.promo)"]
    sums += [f"SUM(x.n) FILTER (WHERE x.b = {i + 1})" for i in range(len(ranges))]
    columns = ", ".join(f"{sql} AS s{i}" for i, sql in enumerate(sums))
    return f"SELECT x.category_id, SUM(x.n) AS n, {columns} FROM ({inner}) x GROUP BY x.category_id", [edges], ranges


def _page_source(query: str, ranked: bool, fuzzy: bool, page: PageRequest, source: str, corrections=None) -> tuple[str, str, list]:
    """(SELECT list, FROM, params) of the page over `source` (rows named m)."""
    if not ranked:
        return "m.variant_id", source, []
    # Candidates first (cheap keys: SKU prefix, best-selling), then ts_rank over those only;
    # their vectors and texts are read for them only (the matches carry narrow rows).
    candidates = (
        f"(SELECT m.*, d.vector, d.text FROM (SELECT m.* FROM {source} "
        f"ORDER BY (upper(m.sku) LIKE %s) DESC, m.units_sold DESC, m.product_name, m.sku LIMIT %s) m "
        f"JOIN catalog_searchdocument d ON d.variant_id = m.variant_id) m"
    )
    relevance = relevance_sql(query, fuzzy=fuzzy, corrections=corrections)
    return (
        f"m.variant_id, {relevance.parts[0]} AS relevance",
        candidates,
        [*relevance.params, like_prefix(query), max(RANK_CANDIDATES, page.offset + page.limit)],
    )


def search_once(
    query: str, found: Matches, pricing, sort: Sort, page: PageRequest, *, fuzzy: bool, corrections=None, priced=None
):
    """One query: the matches (at most facet_limit() of them, materialised once) grouped by
    category with in-stock, promotion and price-range counts, and the page's ids; with
    `priced` (price_sorted_page_sql), also its rows when the search is capped (else None)."""
    ranked = bool(query) and sort is Sort.RELEVANCE
    columns = "m.variant_id, m.sku, m.category_id, m.in_stock, m.units_sold, m.product_name, m.product_id, m.product_created_at"
    if pricing is not None:
        columns += ", m.price, m.promo"
    groups_sql, group_params, ranges = _groups(pricing)
    sums = 2 + len(ranges) if pricing is not None else 1
    select, source, page_params = _page_source(query, ranked, fuzzy, page, "m", corrections)
    limit = facet_limit()
    if not ranked:
        # A capped search in another order reads its page over every match (search() below):
        # this one would be thrown away, so it is not sorted.
        source += " WHERE (SELECT COUNT(*) FROM m) <= %s"
        page_params = [*page_params, limit]
    sql = (
        f"WITH m AS MATERIALIZED (SELECT {columns} FROM {found.sql} LIMIT %s), "
        f"g AS ({groups_sql}), "
        f"p AS (SELECT {select} FROM {source} ORDER BY {ordering(sort, ranked=ranked)} LIMIT %s OFFSET %s) "
        f"SELECT (SELECT json_agg(json_build_array(c.slug, c.name, g.category_id, g.n, "
        f"{', '.join(f'g.s{i}' for i in range(sums))})) FROM g "
        f"LEFT JOIN catalog_category c ON c.id = g.category_id), (SELECT array_agg(p.variant_id) FROM p), "
        f"(SELECT COUNT(*) FROM m)"
    )
    params = [*found.params, limit + 1, *group_params, limit, *page_params, page.limit, page.offset]
    if priced is not None:  # worked out only when capped (a one-time filter on the count)
        sql += (
            f", (SELECT json_agg(json_build_array(q.variant_id, q.price::text)) FROM ({priced.parts[0]}) q "
            f"WHERE (SELECT COUNT(*) FROM m) > %s)"
        )
        params += [*priced.params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        groups_json, ids, found_count, *priced_json = cursor.fetchone()
    groups = json.loads(groups_json) if isinstance(groups_json, str) else (groups_json or [])
    capped = found_count > limit
    priced_rows = None
    if priced is not None and capped:
        rows = priced_json[0]
        priced_rows = json.loads(rows) if isinstance(rows, str) else (rows or [])
    # array_agg over p keeps p's order (the ORDER BY above, no join in between).
    return _facets(groups, pricing, ranges, capped=capped), list(ids or []), priced_rows


def _facets(groups: list, pricing, ranges, *, capped: bool) -> tuple[Facets, int, bool]:
    # each group: [slug, name, category id, matches, in stock, on promotion, price ranges...]
    rows = [tuple(g) for g in groups]
    total = sum(int(r[3]) for r in rows)

    def summed(index: int) -> int:
        return sum(int(r[index] or 0) for r in rows)

    categories = sorted(
        (CategoryCount(slug=r[0], name=r[1], count=int(r[3])) for r in rows if r[2] is not None and r[0] is not None),
        key=lambda c: (-c.count, c.name, c.slug),
    )
    facets = Facets(
        categories=categories,
        in_stock=summed(4),
        on_promotion=summed(5) if pricing is not None else None,
        price_ranges=[
            PriceRangeCount(min=low, max=high, count=summed(6 + i), currency=pricing.currency)
            for i, (low, high, _, _) in enumerate(ranges)
        ]
        if pricing is not None
        else [],
    )
    return facets, total, capped


def full_page(query: str, found: Matches, sort: Sort, page: PageRequest) -> list[int]:
    """The page over every match (a capped search sorted by price, age, sales or name: the
    first matches found are not the first in that order). Relevance is not worked out here."""
    sql = f"SELECT m.variant_id FROM {found.sql} ORDER BY {ordering(sort, ranked=False)} LIMIT %s OFFSET %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*found.params, page.limit, page.offset])
        return [row[0] for row in cursor.fetchall()]


def price_sorted_page_sql(
    query: str, found: Matches, pricing: DealerPricing, filters, sort: Sort, page: PageRequest, *, fuzzy: bool, categories,
    corrections=None,
) -> Sql | None:
    """The page of a capped search in price order without pricing every match. The page's
    SKUs are among three small sets of candidates:
    - the first `wanted` matches no list names, by list price: each costs its list price
      times one factor (`monotone_factor`), so that is their price order (an index order);
    - the first `wanted` matches with only volume breaks in a list, by list price (they pay
      their list price);
    - the matches with an explicit price no dearer (cheapest first; no cheaper, dearest
      first) than the last of the first set: one dearer has `wanted` SKUs before it.
    Pricing the candidates gives the exact page. None when it cannot be worked out this way
    (a 100 % list). The SQL gives (variant id, price) rows; when fewer than a page come back
    or the last has no price, the page reaches SKUs without a price and this answer does not
    hold (`holds`)."""
    if pricing.monotone_factor() is None:
        return None
    wanted = page.offset + page.limit
    ascending = sort is Sort.PRICE_ASC
    order = f"m.list_price {'ASC' if ascending else 'DESC'}, m.product_name, m.sku"
    # The candidates need no price when no filter reads it: the matches without the price join.
    bare = not filters.uses_prices and filters.on_promotion is None
    if bare:
        found = matches(query, None, filters, fuzzy=fuzzy, categories=categories, corrections=corrections)
    named, named_params, _, _ = pricing.named_prices_sql()
    if not named:
        candidates = Sql(
            [f"SELECT m.variant_id FROM {found.sql} WHERE m.currency = %s ORDER BY {order} LIMIT %s"],
            [*found.params, pricing.currency, wanted],
        )
        prefix, prefix_params = "", []
    else:
        unnamed_price, unnamed_params = pricing.unnamed_price_sql("m")
        # NOT IN / IN over the small named set: a hashed filter on the walk in list price order.
        prefix = (
            f"WITH named AS MATERIALIZED ({named}), "
            f"unnamed AS MATERIALIZED (SELECT m.variant_id, {unnamed_price} AS price FROM {found.sql} "
            f"WHERE m.currency = %s AND m.variant_id NOT IN (SELECT n.variant_id FROM named n) ORDER BY {order} LIMIT %s) "
        )
        prefix_params = [*named_params, *unnamed_params, *found.params, pricing.currency, wanted]
        bound, compare = ("MAX", "<=") if ascending else ("MIN", ">=")
        listed = matches(
            query, None if bare else pricing, filters, fuzzy=fuzzy, categories=categories, corrections=corrections,
            among=Sql(
                [
                    f"ARRAY(SELECT n.variant_id FROM named n WHERE n.unit_price IS NOT NULL AND "
                    f"((SELECT COUNT(*) FROM unnamed) < %s OR n.unit_price {compare} (SELECT {bound}(u.price) FROM unnamed u)))"
                ],
                [wanted],
            ),
        )
        candidates = Sql(
            [
                f"SELECT u.variant_id FROM unnamed u UNION (SELECT m.variant_id FROM {found.sql} WHERE m.currency = %s "
                f"AND m.variant_id IN (SELECT n.variant_id FROM named n WHERE n.unit_price IS NULL) ORDER BY {order} LIMIT %s) "
                f"UNION (SELECT m.variant_id FROM {listed.sql})"
            ],
            [*found.params, pricing.currency, wanted, *listed.params],
        )
    exact = matches(query, pricing, filters, fuzzy=fuzzy, categories=categories, only=candidates, corrections=corrections)
    return Sql(
        [f"{prefix}SELECT m.variant_id, m.price FROM {exact.sql} ORDER BY {ordering(sort, ranked=False)} LIMIT %s OFFSET %s"],
        [*prefix_params, *exact.params, page.limit, page.offset],
    )


def holds(rows: list, page: PageRequest) -> bool:
    return len(rows) == page.limit and rows[-1][1] is not None


class PostgresBackend:
    name = "postgres"

    def search(
        self, query: str, *, pricing: DealerPricing | None, filters: SearchFilters, sort: Sort, page: PageRequest
    ) -> SearchResult:
        """Exact words and SKUs first; only when nothing matches, partial SKUs and the words'
        close spellings from the dictionary (spelling.py)."""
        fuzzy = False
        corrections = None
        categories = category_ids(filters.category) if filters.category else None

        def once(found):
            priced = None
            if pricing is not None and sort in (Sort.PRICE_ASC, Sort.PRICE_DESC) and page.limit:
                priced = price_sorted_page_sql(
                    query, found, pricing, filters, sort, page, fuzzy=fuzzy, categories=categories, corrections=corrections
                )
            return search_once(query, found, pricing, sort, page, fuzzy=fuzzy, corrections=corrections, priced=priced)

        found = matches(query, pricing, filters, fuzzy=False, categories=categories)
        (facets, total, capped), ids, priced_rows = once(found)
        if not total and query:
            corrections = spelling.corrections(query)
            if fuzzy_can_match(query, corrections):
                fuzzy = True
                found = matches(query, pricing, filters, fuzzy=True, categories=categories, corrections=corrections)
                (facets, total, capped), ids, priced_rows = once(found)
        ranked = bool(query) and sort is Sort.RELEVANCE
        if capped and page.limit and (not ranked or page.offset + page.limit > total):
            if priced_rows is not None and holds(priced_rows, page):
                ids = [row[0] for row in priced_rows]
            else:
                ids = full_page(query, found, sort, page)
        return SearchResult(
            hits=load_hits(ids) if page.limit else [],
            total=total,
            facets=facets,
            backend=self.name,
            promotions=pricing.promotions if pricing else (),
            total_is_lower_bound=capped,
        )
