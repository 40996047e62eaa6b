"""Catalog shapes of the API. Prices are filled in by the storefront (which knows the dealer)."""

from dataclasses import dataclass

import graphene

from catalog.graphql.search import ProductFacets
from mall.graphql_types import CountedConnection, Money


@dataclass(frozen=True)
class VariantView:
    """One orderable SKU as the API shows it: the variant (with `available` annotated) and
    the signed-in dealer's pricing (None for anonymous users and users without a company)."""

    variant: object
    pricing: object | None


class VolumeBreak(graphene.ObjectType):
    min_quantity = graphene.Int(required=True)
    price = graphene.Field(Money, required=True)


class PromotionBadge(graphene.ObjectType):
    name = graphene.String(required=True)


class ProductPricing(graphene.ObjectType):
    list_price = graphene.Field(Money, required=True)
    price = graphene.Field(Money, required=True, description="The dealer's unit price for quantity 1.")
    volume_breaks = graphene.List(graphene.NonNull(VolumeBreak), required=True)
    promotions = graphene.List(
        graphene.NonNull(PromotionBadge),
        required=True,
        description="Line promotions live for this dealer whose scope takes this SKU (the storefront fills them in).",
    )

    @staticmethod
    def resolve_promotions(root, info):
        # The storefront passes a callable so that promotions are loaded only when asked for.
        value = root.promotions
        return (value() if callable(value) else value) or []


class StockInfo(graphene.ObjectType):
    available = graphene.Int(required=True, description="Units on hand less allocated, over all warehouses.")


class Category(graphene.ObjectType):
    name = graphene.String(required=True)
    slug = graphene.String(required=True)


class Product(graphene.ObjectType):
    """One orderable variant (SKU)."""

    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    product_name = graphene.String(required=True)
    description = graphene.String(required=True)
    category = graphene.Field(Category)
    pack_size = graphene.Int(required=True)
    min_quantity = graphene.Int(required=True)
    max_quantity = graphene.Int()
    order_multiple = graphene.Int(required=True)
    pricing = graphene.Field(ProductPricing, description="Null unless signed in as a dealer.")
    stock = graphene.Field(StockInfo, required=True)

    @staticmethod
    def resolve_sku(root, info):
        return root.variant.sku

    @staticmethod
    def resolve_name(root, info):
        return root.variant.display_name

    @staticmethod
    def resolve_product_name(root, info):
        return root.variant.product.name

    @staticmethod
    def resolve_description(root, info):
        return root.variant.product.description

    @staticmethod
    def resolve_category(root, info):
        return root.variant.product.category

    @staticmethod
    def resolve_pack_size(root, info):
        return root.variant.pack_size

    @staticmethod
    def resolve_min_quantity(root, info):
        return root.variant.min_quantity

    @staticmethod
    def resolve_max_quantity(root, info):
        return root.variant.max_quantity

    @staticmethod
    def resolve_order_multiple(root, info):
        return root.variant.order_multiple

    @staticmethod
    def resolve_pricing(root, info):
        return root.pricing

    @staticmethod
    def resolve_stock(root, info):
        return StockInfo(available=max(getattr(root.variant, "available", 0) or 0, 0))


class ProductEdge(graphene.ObjectType):
    node = graphene.Field(Product, required=True)
    cursor = graphene.String(required=True)


class ProductConnection(CountedConnection):
    edges = graphene.List(graphene.NonNull(ProductEdge), required=True)
    facets = graphene.Field(
        ProductFacets, required=True,
        description="Counts over every match of the search (over the first SEARCH_FACET_LIMIT when totalCountIsLowerBound).",
    )
    total_count_is_lower_bound = graphene.Boolean(
        required=True,
        description="True when a very broad search stopped counting: there are more matches than totalCount "
        "(and the facets count the first totalCount). Narrow the search to count them all.",
    )

    @staticmethod
    def resolve_total_count(root, info):
        return root.total  # the search counted every match already

    @staticmethod
    def resolve_total_count_is_lower_bound(root, info):
        return root.total_is_lower_bound


class ProductFilterInput(graphene.InputObjectType):
    category = graphene.String(description="Category slug (its sub-categories included).")
    in_stock = graphene.Boolean()
    on_promotion = graphene.Boolean(description="Dealers only: SKUs a live line promotion takes.")
    price_min = graphene.Decimal(description="Dealers only: lowest dealer unit price, inclusive.")
    price_max = graphene.Decimal(description="Dealers only: highest dealer unit price, inclusive.")
