"""PostgreSQL full-text search over catalog.SearchDocument.

A SKU matches when any of these holds (each served by an index of migration 0002):
- the weighted vector matches the text as a web search (`websearch_to_tsquery`, which never
  fails on user input: quotes, `-`, `or`, `&`, `/` are read as words or web operators), in
  the `english` configuration (stems) and in `simple` (as typed, for SKUs and codes);
- the SKU contains the text (one word; a partial SKU), by trigram index, or starts with it;
- only when nothing matched that way: the text is within trigram word similarity of the SKU
  and names (typos);
- text with non-Latin letters (e.g. Chinese, which has no spaces between words) is found as a
  substring of the names as well.
- or the text is exactly a SKU (found even if that SKU's document is not written yet).
Ranking: an exact SKU first, then SKU prefixes, then ts_rank (weights A-D) plus similarity.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import BooleanField, F, FloatField, Func, QuerySet, Value
from django.db.models.expressions import Case, When

from catalog.models import SearchDocument, Variant

from .database import DatabaseBackend

# A one-word query this short matches SKUs by prefix only: trigrams need three characters.
MIN_CONTAINS_LENGTH = 3
# ts_rank gives about 0.06 for one name word (weight B): scaled so that where the words are
# (SKU, name, category, description) outweighs how similar the letters are (0..1).
RANK_SCALE = 10.0


class TrigramWordMatch(Func):
    """`text <% document`: pg_trgm's indexable word-similarity operator (threshold
    pg_trgm.word_similarity_threshold, 0.6 by default)."""

    arg_joiner = " <%% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _queries(query: str) -> tuple[SearchQuery, SearchQuery]:
    return (
        SearchQuery(query, config="english", search_type="websearch"),
        SearchQuery(query, config="simple", search_type="websearch"),
    )


class PostgresBackend(DatabaseBackend):
    name = "postgres"

    def match(self, queryset: QuerySet, query: str, *, fuzzy: bool = False) -> QuerySet:
        english, simple = _queries(query)
        documents = SearchDocument.objects.values("variant_id")
        # One arm per index (UNION ALL): an OR of them would make the planner scan every
        # document and compute trigrams row by row.
        arms = [
            documents.filter(vector=english | simple),
            # The SKU typed exactly is found even before its document is written (unique index).
            Variant.objects.filter(sku=query).values("pk"),
        ]
        if fuzzy:
            arms.append(documents.filter(TrigramWordMatch(Value(query), F("text"))))
        if " " not in query:
            if len(query) >= MIN_CONTAINS_LENGTH:
                arms.append(documents.filter(sku__icontains=query))
            else:
                arms.append(documents.filter(sku__istartswith=query))
        if not query.isascii():
            arms.append(documents.filter(text__icontains=query))
        return queryset.filter(pk__in=arms[0].union(*arms[1:], all=True))

    def search(self, query, *, pricing, filters, sort, page):
        """Exact words and SKUs first; only when nothing matches, forgive typos (trigram
        similarity touches many more rows, so it is the fallback, not the rule)."""
        result = super().search(query, pricing=pricing, filters=filters, sort=sort, page=page)
        if result.total or not query:
            return result
        return super().search(query, pricing=pricing, filters=filters, sort=sort, page=page, fuzzy=True)

    def relevance(self, queryset: QuerySet, query: str, *, fuzzy: bool = False) -> QuerySet:
        english, simple = _queries(query)
        vector = F("search_document__vector")
        relevance = Case(
            When(search_document__sku__iexact=query, then=Value(100.0)),
            When(search_document__sku__istartswith=query, then=Value(10.0)),
            default=Value(0.0),
            output_field=FloatField(),
        ) + RANK_SCALE * SearchRank(vector, english | simple)
        if fuzzy:  # only typo matches: how close the letters are is all there is to rank by
            relevance = relevance + TrigramWordSimilarity(Value(query), "search_document__text")
        return queryset.annotate(relevance=relevance)
