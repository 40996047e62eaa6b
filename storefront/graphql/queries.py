"""Storefront queries: the catalog at the dealer's prices, the cart, and the dealer's orders."""

from types import SimpleNamespace

import graphene
from django.db.models import Prefetch

from catalog.graphql.search import ProductSortEnum
from catalog.graphql.types import Product, ProductConnection, ProductEdge, ProductFilterInput
from catalog.search import (
    PageRequest,
    SearchError,
    SearchFilters,
    Sort,
    parse_price,
    search_products,
)
from catalog.selectors import search_variants
from mall.graphql_types import (
    PageInfo,
    api_error_from,
    clean_key,
    clean_text,
    cursor,
    page_bounds,
    paginate,
)
from partners.graphql.viewer import require_dealer, viewer_company
from storefront.graphql.cart import cart_view
from storefront.graphql.pricing import priced_views
from storefront.graphql.types import Cart, Order, OrderConnection, OrderEdge
from storefront.models import Order as OrderModel
from storefront.models import OrderLine
from storefront.services.skus import resolve_skus


def _orders_of(company):
    lines = Prefetch("lines", queryset=OrderLine.objects.order_by("line_number"))
    return OrderModel.objects.filter(company=company).prefetch_related(lines).order_by("-placed_at", "-id")


class StorefrontQuery(graphene.ObjectType):
    products = graphene.Field(
        ProductConnection,
        required=True,
        first=graphene.Int(description="Page size, 20 by default, at most 100."),
        after=graphene.String(),
        search=graphene.String(
            description="Words, a SKU or part of one; typos are forgiven on PostgreSQL and Elasticsearch (docs/search.md)."
        ),
        filter=ProductFilterInput(),
        sort=graphene.Argument(
            ProductSortEnum, description="RELEVANCE by default; PRICE_ASC / PRICE_DESC need a signed-in dealer."
        ),
        description="Orderable SKUs; `pricing` is filled in only for a signed-in dealer.",
    )
    product = graphene.Field(Product, sku=graphene.String(required=True))
    cart = graphene.Field(Cart, description="Requires a signed-in dealer.")
    orders = graphene.Field(OrderConnection, first=graphene.Int(), after=graphene.String())
    order = graphene.Field(Order, number=graphene.String(required=True))

    @staticmethod
    def resolve_products(root, info, first=None, after=None, search=None, filter=None, sort=None):
        filter = filter or {}
        offset, limit = page_bounds(first, after)
        company = viewer_company(info)
        try:
            filters = SearchFilters(
                category=clean_text(filter.get("category"), 128) or None,
                in_stock=filter.get("in_stock"),
                on_promotion=filter.get("on_promotion"),
                price_min=parse_price(filter.get("price_min"), "filter.priceMin"),
                price_max=parse_price(filter.get("price_max"), "filter.priceMax"),
            )
            result = search_products(
                search,
                company=company,
                filters=filters,
                sort=getattr(sort, "value", sort) or Sort.RELEVANCE,
                page=PageRequest(offset, limit),
            )
        except SearchError as error:
            raise api_error_from(error) from None
        views = priced_views(company, result.hits, context=info.context)
        edges = [ProductEdge(node=view, cursor=cursor(offset + i)) for i, view in enumerate(views)]
        page_info = PageInfo(
            has_next_page=offset + len(views) < result.total,
            has_previous_page=offset > 0,
            start_cursor=cursor(offset) if views else None,
            end_cursor=cursor(offset + len(views) - 1) if views else None,
        )
        return SimpleNamespace(
            total=result.total, total_is_lower_bound=result.total_is_lower_bound, facets=result.facets,
            page_info=page_info, edges=edges,
        )

    @staticmethod
    def resolve_product(root, info, sku):
        sku = clean_key(sku, 64)
        variant = search_variants().filter(sku=sku).first() if sku else None
        if variant is None and sku:  # typed in another case: found as the cart finds it
            found = resolve_skus([sku]).get(sku)
            variant = search_variants().filter(pk=found.pk).first() if found else None
        if variant is None:
            return None
        return priced_views(viewer_company(info), [variant], context=info.context)[0]

    @staticmethod
    def resolve_cart(root, info):
        user, company = require_dealer(info)
        return cart_view(user, company)

    @staticmethod
    def resolve_orders(root, info, first=None, after=None):
        _, company = require_dealer(info)
        queryset = _orders_of(company)
        rows, page_info, offset = paginate(queryset, first, after)
        edges = [OrderEdge(node=order, cursor=cursor(offset + i)) for i, order in enumerate(rows)]
        return SimpleNamespace(queryset=queryset.order_by(), page_info=page_info, edges=edges)

    @staticmethod
    def resolve_order(root, info, number):
        _, company = require_dealer(info)
        number = clean_key(number, 32)
        if not number:
            return None
        return _orders_of(company).filter(number=number).first()
