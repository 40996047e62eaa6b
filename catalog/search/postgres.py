"""PostgreSQL full-text search over catalog.SearchDocument.

A SKU matches when any of these holds (each served by an index of migration 0002):
- the weighted vector matches the text as a web search (`websearch_to_tsquery`, which never
  fails on user input: quotes, `-`, `or`, `&`, `/` are read as words or web operators), in
  the `english` configuration (stems) and in `simple` (as typed, for SKUs and codes);
- the SKU contains the text (one word; a partial SKU), by trigram index, or starts with it;
- the text is within trigram word similarity of the SKU and names (typos);
- text with non-Latin letters (e.g. Chinese, which has no spaces between words) is found as a
  substring of the names as well.
- or the text is exactly a SKU (found even if that SKU's document is not written yet).
Ranking: an exact SKU first, then SKU prefixes, then ts_rank (weights A-D) plus similarity.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import BooleanField, F, FloatField, Func, Q, QuerySet, Value
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

    def match(self, queryset: QuerySet, query: str) -> QuerySet:
        english, simple = _queries(query)
        condition = Q(vector=english) | Q(vector=simple) | TrigramWordMatch(Value(query), F("text"))
        if " " not in query:
            if len(query) >= MIN_CONTAINS_LENGTH:
                condition |= Q(sku__icontains=query)
            else:
                condition |= Q(sku__istartswith=query)
        if not query.isascii():
            condition |= Q(text__icontains=query)
        documents = SearchDocument.objects.filter(condition).values("variant_id")
        # The SKU typed exactly is found even before its document is written (unique index).
        exact = Variant.objects.filter(sku=query).values("pk")
        return queryset.filter(pk__in=documents.union(exact, all=True))

    def relevance(self, queryset: QuerySet, query: str) -> QuerySet:
        english, simple = _queries(query)
        vector = F("search_document__vector")
        return queryset.annotate(
            relevance=Case(
                When(search_document__sku__iexact=query, then=Value(100.0)),
                When(search_document__sku__istartswith=query, then=Value(10.0)),
                default=Value(0.0),
                output_field=FloatField(),
            )
            + RANK_SCALE * SearchRank(vector, english)
            + RANK_SCALE * SearchRank(vector, simple)
            + TrigramWordSimilarity(Value(query), "search_document__text")
        )
