"""Plain matching (SQLite, the demo; or SEARCH_BACKEND=plain): the text is a substring of the
SKU or of a name, case-insensitive. No index needed, no typo tolerance, no stemming.

Double quotes are dropped first, as PostgreSQL's web search reads them (`"lantern"` finds what
`lantern` finds; a quoted phrase is the words in that order, here the same substring), and
runs of spaces count as one. A text of quotes alone finds nothing there and here."""

import re

from django.db.models import FloatField, Q, QuerySet, Value
from django.db.models.expressions import Case, When

from .database import DatabaseBackend

QUOTES = re.compile(r'["“”„]')


def plain_text(query: str) -> str:
    """The text matched: without double quotes, spaces collapsed."""
    return " ".join(QUOTES.sub(" ", query).split())


class PlainBackend(DatabaseBackend):
    name = "plain"

    def match(self, queryset: QuerySet, query: str, *, fuzzy: bool = False) -> QuerySet:
        text = plain_text(query)
        if not text:  # nothing to look for (the facet SQL needs a real query, not .none())
            return queryset.filter(pk__isnull=True)
        return queryset.filter(Q(sku__icontains=text) | Q(name__icontains=text) | Q(product__name__icontains=text))

    def relevance(self, queryset: QuerySet, query: str, *, fuzzy: bool = False) -> QuerySet:
        text = plain_text(query)
        return queryset.annotate(
            relevance=Case(
                When(sku__iexact=text, then=Value(3.0)),
                When(sku__istartswith=text, then=Value(2.0)),
                default=Value(1.0),
                output_field=FloatField(),
            )
        )
