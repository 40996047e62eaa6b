"""Search shapes of the API: the sort, and the facets of a product search."""

import graphene

from catalog.search import Sort
from mall.graphql_types import Money, money

ProductSortEnum = graphene.Enum("ProductSortEnum", [(s.name, s.value) for s in Sort])


class CategoryFacet(graphene.ObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    count = graphene.Int(required=True)


class PriceRangeFacet(graphene.ObjectType):
    """SKUs whose dealer price (before promotions and volume breaks) is from `min` up to, not
    including, `max` (null: no upper end)."""

    min = graphene.Field(Money, required=True)
    max = graphene.Field(Money)
    count = graphene.Int(required=True)

    @staticmethod
    def resolve_min(root, info):
        return money(root.min, root.currency)

    @staticmethod
    def resolve_max(root, info):
        return money(root.max, root.currency)


class ProductFacets(graphene.ObjectType):
    """Counts over every match (not just this page). With a category filter, the category
    counts are of that category and its sub-categories (a drill-down)."""

    categories = graphene.List(graphene.NonNull(CategoryFacet), required=True)
    price_ranges = graphene.List(
        graphene.NonNull(PriceRangeFacet), required=True, description="At the dealer's prices; empty unless signed in as a dealer."
    )
    in_stock = graphene.Int(required=True)
    on_promotion = graphene.Int(description="Null unless signed in as a dealer.")
