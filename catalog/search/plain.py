"""Plain matching (SQLite, the demo; or SEARCH_BACKEND=plain): the text is a substring of the
SKU or of a name, case-insensitive. No index needed, no typo tolerance, no stemming."""

from django.db.models import FloatField, Q, QuerySet, Value
from django.db.models.expressions import Case, When

from .database import DatabaseBackend


class PlainBackend(DatabaseBackend):
    name = "plain"

    def match(self, queryset: QuerySet, query: str, *, fuzzy: bool = False) -> QuerySet:
        return queryset.filter(Q(sku__icontains=query) | Q(name__icontains=query) | Q(product__name__icontains=query))

    def relevance(self, queryset: QuerySet, query: str, *, fuzzy: bool = False) -> QuerySet:
        return queryset.annotate(
            relevance=Case(
                When(sku__iexact=query, then=Value(3.0)),
                When(sku__istartswith=query, then=Value(2.0)),
                default=Value(1.0),
                output_field=FloatField(),
            )
        )
