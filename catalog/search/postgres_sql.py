"""The SQL of a PostgreSQL search over catalog_searchdocument: which documents match a text
(`text_condition`), how well (`relevance_sql`), and the whole FROM of a search with its
filters and the dealer's price (`matches`). See postgres.py for what matches and why."""


import re
from dataclasses import dataclass, field

from django.db.models import Q

from catalog.models import Category
from pricing_engine.core.money import quantize

from .dealer_prices import DealerPricing
from .spelling import Corrections
from .types import SearchFilters

# A one-word text this short matches SKUs by prefix only: trigrams need three characters.
MIN_CONTAINS_LENGTH = 3
# ts_rank gives about 0.06 for one name word (weight B): scaled so that where the words are
# (SKU, name, category, description) outweighs how similar the letters are (0..1).
RANK_SCALE = 10.0

_TOKEN = re.compile(r"[0-9A-Za-z]+")


def like_prefix(text: str) -> str:
    return text.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def like_contains(text: str) -> str:
    return "%" + like_prefix(text)


@dataclass
class Sql:
    """A WHERE condition (or expression) with its params, built up piece by piece."""

    parts: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)

    def add(self, sql: str, *params) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    def joined(self, glue: str) -> str:
        return glue.join(self.parts)


TSQUERY = "(websearch_to_tsquery('english', %s) || websearch_to_tsquery('simple', %s))"


def tsquery_sql(query: str, corrections: Corrections | None = None) -> Sql:
    """The text as a tsquery. With corrections (spelling.py), each word may be any of its
    stand-ins: in each configuration, the AND over the words of the OR over a word's stand-ins
    (a stop word gives an empty `english` query, which an AND ignores, as for the whole text)."""
    if corrections is None or not corrections.changed:
        return Sql([TSQUERY], [query, query])
    params: list = []
    configurations = []
    for configuration in ("english", "simple"):
        words = []
        for alternatives in corrections.words:
            words.append("(" + " || ".join(f"websearch_to_tsquery('{configuration}', %s)" for _ in alternatives) + ")")
            params.extend(alternatives)
        configurations.append("(" + " && ".join(words) + ")")
    return Sql([f"({' || '.join(configurations)})"], params)


def text_condition(query: str, *, fuzzy: bool, corrections: Corrections | None = None) -> Sql:
    arms = Sql()
    if not fuzzy:
        arms.add(f"d.vector @@ {TSQUERY}", query, query)
        tokens = _TOKEN.findall(query)
        if len(tokens) == 1 and tokens[0] == query and any(c.isdigit() for c in query):
            arms.add("d.vector @@ to_tsquery('simple', %s)", f"{query.lower()}:*")  # alphanumerics only: safe syntax
        arms.add("upper(d.sku) LIKE %s", like_prefix(query))
        if not query.isascii():
            arms.add("d.text ILIKE %s", like_contains(query))
        return Sql([f"({arms.joined(' OR ')})"], arms.params)
    # Nothing matched as typed: the words spelled as the dictionary's closest words, and a part
    # from the middle of a SKU.
    if corrections is not None and corrections.changed:
        corrected = tsquery_sql(query, corrections)
        arms.add(f"d.vector @@ {corrected.parts[0]}", *corrected.params)
    if _partial_sku(query):
        arms.add("upper(d.sku) LIKE %s", like_contains(query))
    if not arms.parts:
        return Sql(["false"], [])
    return Sql([f"({arms.joined(' OR ')})"], arms.params)


def _partial_sku(query: str) -> bool:
    return " " not in query and len(query) >= MIN_CONTAINS_LENGTH


def fuzzy_can_match(query: str, corrections: Corrections) -> bool:
    """Whether the fallback has anything to try: a close spelling or a partial SKU."""
    return corrections.changed or _partial_sku(query)


def relevance_sql(query: str, *, fuzzy: bool, corrections: Corrections | None = None) -> Sql:
    """Relevance of a match `m` (a row of `matches`)."""
    tsquery = tsquery_sql(query, corrections if fuzzy else None)
    expression = (
        f"(CASE WHEN upper(m.sku) = upper(%s) THEN 100.0 WHEN upper(m.sku) LIKE %s THEN 10.0 ELSE 0.0 END"
        f" + {RANK_SCALE} * ts_rank(m.vector, {tsquery.parts[0]})"
    )
    params = [query, like_prefix(query), *tsquery.params]
    if fuzzy:  # close spellings: how close the letters are counts too
        expression += " + word_similarity(%s, m.text)"
        params.append(query)
    return Sql([expression + ")"], params)


def category_ids(slug: str) -> list[int]:
    """The chosen category and its sub-categories (one small query, once per search), so the
    search compares `category_id` with constants: a single category then reads the covering
    index in list price order."""
    return list(Category.objects.filter(Q(slug=slug) | Q(parent__slug=slug)).order_by("pk").values_list("pk", flat=True))


def _category_condition(ids: list[int]) -> Sql:
    if not ids:
        return Sql(["false"], [])
    if len(ids) == 1:
        return Sql(["d.category_id = %s"], [ids[0]])
    return Sql(["d.category_id = ANY(%s)"], [ids])


@dataclass(frozen=True)
class Matches:
    """The FROM … WHERE of a search (over documents `d`, with the dealer's price as `price`
    and its promotion flag as `promo` when there is a dealer), and its params."""

    sql: str
    params: list


def matches(
    query: str,
    pricing: DealerPricing | None,
    filters: SearchFilters,
    *,
    fuzzy: bool,
    categories: list[int] | None = None,
    only: "list[int] | Sql | None" = None,
    corrections: Corrections | None = None,
    among: Sql | None = None,
) -> Matches:
    """Every match; `categories`: the ids of filters.category (`category_ids`); `only`: of
    these SKUs (by id) only; `corrections`: the words' close spellings (fuzzy only); `among`:
    only matches whose id is in this array (SQL), read by key (few ids, many matches)."""
    where = Sql(["d.is_visible"])
    if among is not None:
        where.add(f"d.variant_id = ANY({among.parts[0]})", *among.params)
    if isinstance(only, Sql):  # a subquery of ids found by this search
        where.add(f"d.variant_id IN ({only.parts[0]})", *only.params)
    elif only is not None:  # already found by this search: the conditions held, read them by key
        where.add("d.variant_id = ANY(%s)", only)
    if only is not None:
        query, filters = "", SearchFilters(on_promotion=filters.on_promotion)
    if query:
        condition = text_condition(query, fuzzy=fuzzy, corrections=corrections)
        where.add(condition.parts[0], *condition.params)
    if filters.category:
        condition = _category_condition(category_ids(filters.category) if categories is None else categories)
        where.add(condition.parts[0], *condition.params)
    if filters.in_stock is not None:
        where.add("d.in_stock" if filters.in_stock else "NOT d.in_stock")
    columns = (
        "d.variant_id, d.sku, d.text, d.vector, d.category_id, d.in_stock, d.units_sold, d.product_name, "
        "d.product_id, d.product_created_at, d.list_price, d.currency"
    )
    if pricing is None:
        inner = f"SELECT {columns} FROM catalog_searchdocument d WHERE {where.joined(' AND ')}"
        return Matches(f"({inner}) m", where.params)
    joins, join_params, price, price_params = pricing.document_price_sql("d")
    promotion, promotion_params = pricing.document_promotion_sql("d")
    inner = (
        f"SELECT {columns}, {price} AS price, {promotion} AS promo "
        f"FROM catalog_searchdocument d {joins} WHERE {where.joined(' AND ')}"
    )
    # In the order the placeholders appear: the price and promotion columns, the joins, WHERE.
    params = [*price_params, *promotion_params, *join_params, *where.params]
    outer = Sql()
    if filters.on_promotion is not None:
        outer.add("m.promo" if filters.on_promotion else "NOT m.promo")
    if filters.uses_prices:
        outer.add("m.price IS NOT NULL")
        half = pricing.half_step
        if filters.price_min is not None:
            outer.add("m.price >= %s", quantize(filters.price_min, pricing.currency) - half)
        if filters.price_max is not None:
            outer.add("m.price < %s", quantize(filters.price_max, pricing.currency) + half)
    if not outer.parts:
        return Matches(f"({inner}) m", params)
    return Matches(f"(SELECT * FROM ({inner}) m WHERE {outer.joined(' AND ')}) m", [*params, *outer.params])
