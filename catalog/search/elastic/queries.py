"""The Elasticsearch request for a search, built with elasticsearch-dsl (tested as the dict it
produces, without a server).

Text is only ever given to `match` / `multi_match` queries, which analyze it as words: no
query-string syntax, so quotes, slashes, `AND`, `*` or `\\` in the text are just characters.

The dealer's price (the definition in catalog/search/dealer_prices.py) is computed by one
Painless script from the document's list price, its explicit prices per price list and the
lists with breaks for it, walking the dealer's lists in precedence order. Price bounds use the
same half-minor-unit rule as the database backends; facets count with a script range
aggregation; the price sort is a script sort.
"""

from elasticsearch_dsl import A, Q, Search

from ..dealer_prices import DealerPricing
from ..types import PageRequest, SearchFilters, Sort

DEALER_PRICE_SCRIPT = """
if (doc['currency'].size() == 0 || !doc['currency'].value.equals(params.currency)) { return params.missing; }
double list = doc['list_price'].value;
for (def pl : params.lists) {
  String field = 'list_prices.pl_' + pl.id;
  if (doc.containsKey(field) && doc[field].size() > 0) { return doc[field].value; }
  if (pl.percent != null) { return list * (100.0 - Double.parseDouble(pl.percent)) / 100.0; }
  if (doc['break_lists'].contains(pl.id)) { return list; }
}
return list;
"""

MAX_CATEGORY_BUCKETS = 200
# A SKU with no price for the dealer (another currency): sorts last, matches no price range.
NO_PRICE_LOW = -(10**15)
NO_PRICE_HIGH = 10**15


def price_params(pricing: DealerPricing, missing: int) -> dict:
    lists = []
    for price_list in pricing.price_lists:
        percent = price_list.default_discount_percent
        lists.append({"id": str(price_list.pk), "percent": None if percent is None else format(percent, "f")})
        if percent is not None:
            break
    return {"currency": pricing.currency, "lists": lists, "missing": missing}


def price_script(pricing: DealerPricing, missing: int = NO_PRICE_LOW) -> dict:
    return {"lang": "painless", "source": DEALER_PRICE_SCRIPT, "params": price_params(pricing, missing)}


def text_query(query: str) -> Q:
    """SKU exact > SKU prefix > SKU parts > all words in the text fields > fuzzy (typos)."""
    text_fields = [
        "name^3",
        "product_name^3",
        "category_name^2",
        "description",
        "name.cjk^3",
        "product_name.cjk^3",
        "category_name.cjk^2",
        "description.cjk",
    ]
    return Q(
        "bool",
        should=[
            Q("match", sku={"query": query, "boost": 100}),
            Q("match", **{"sku.prefix": {"query": query, "boost": 10}}),
            Q("match", **{"sku.parts": {"query": query, "operator": "and", "boost": 5}}),
            Q("multi_match", query=query, fields=text_fields, type="cross_fields", operator="and"),
            Q(
                "multi_match",
                query=query,
                fields=["name", "product_name", "category_name"],
                fuzziness="AUTO",
                prefix_length=1,
                operator="and",
                boost=0.5,
            ),
        ],
        minimum_should_match=1,
    )


def promotion_query(pricing: DealerPricing) -> Q:
    skus: set[str] = set()
    categories: set[int] = set()
    for promotion in pricing.promotions:
        scope = promotion.scope
        if not (scope.skus or scope.categories or scope.tags):
            return Q("match_all")
        skus.update(scope.skus)
        categories.update(int(c) for c in scope.categories if str(c).isdigit())
    if not skus and not categories:
        return Q("match_none")
    return Q("bool", should=[Q("terms", sku=sorted(skus)), Q("terms", category_id=sorted(categories))], minimum_should_match=1)


def price_range_query(pricing: DealerPricing, price_min, price_max) -> Q:
    """Shown price within [min, max]: raw >= min - half and raw < max + half (see module doc)."""
    half = pricing.half_step
    params = price_params(pricing, NO_PRICE_LOW)
    checks = ["double p = price(doc, params); if (p == params.missing) { return false; }"]
    if price_min is not None:
        params["from"] = format(price_min - half, "f")
        checks.append("if (p < Double.parseDouble(params.from)) { return false; }")
    if price_max is not None:
        params["below"] = format(price_max + half, "f")
        checks.append("if (p >= Double.parseDouble(params.below)) { return false; }")
    source = "double price(def doc, def params) {" + DEALER_PRICE_SCRIPT + "}\n" + " ".join(checks) + " return true;"
    return Q("script", script={"lang": "painless", "source": source, "params": params})


def build_search(
    query: str,
    *,
    pricing: DealerPricing | None,
    filters: SearchFilters,
    sort: Sort,
    page: PageRequest,
    index: str,
) -> Search:
    search = Search(index=index).extra(track_total_hits=True)
    search = search.query(text_query(query) if query else Q("match_all"))
    if filters.in_stock is True:
        search = search.filter("term", in_stock=True)
    elif filters.in_stock is False:
        search = search.filter("term", in_stock=False)
    if pricing is not None and filters.on_promotion is not None:
        on_promotion = promotion_query(pricing)
        search = search.filter(on_promotion if filters.on_promotion else ~on_promotion)
    if pricing is not None and filters.uses_prices:
        search = search.filter(price_range_query(pricing, filters.price_min, filters.price_max))
    # A category drills down (as in the database backends): facets count inside it.
    if filters.category:
        search = search.filter("term", category_slugs=filters.category)
    search.aggs.bucket("categories", A("terms", field="category_slug", size=MAX_CATEGORY_BUCKETS))
    inside = search.aggs.bucket("chosen", A("filter", filter=Q("match_all")))
    inside.bucket("in_stock", A("filter", filter=Q("term", in_stock=True)))
    if pricing is not None:
        inside.bucket("on_promotion", A("filter", filter=promotion_query(pricing)))
        ranges = []
        for _, _, raw_from, raw_below in pricing.ranges():
            bucket = {"from": format(raw_from, "f")}
            if raw_below is not None:
                bucket["to"] = format(raw_below, "f")
            ranges.append(bucket)
        inside.bucket("prices", A("range", script=price_script(pricing), ranges=ranges))
    search = search.sort(*sort_clause(sort, pricing, bool(query)))
    search = search.source(False)
    return search[page.offset : page.offset + page.limit]


def sort_clause(sort: Sort, pricing: DealerPricing | None, has_query: bool) -> list:
    by_name = [{"product_name.sort": "asc"}, {"sku": "asc"}]
    if sort in (Sort.PRICE_ASC, Sort.PRICE_DESC) and pricing is not None:
        ascending = sort is Sort.PRICE_ASC
        script = price_script(pricing, NO_PRICE_HIGH if ascending else NO_PRICE_LOW)
        return [{"_script": {"type": "number", "script": script, "order": "asc" if ascending else "desc"}}, *by_name]
    if sort is Sort.NEWEST:
        return [{"created_at": "desc"}, {"product_id": "desc"}, {"sku": "asc"}]
    if sort is Sort.BEST_SELLING:
        return [{"units_sold": "desc"}, *by_name]
    if has_query:
        return ["_score", *by_name]
    return by_name
