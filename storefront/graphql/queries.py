"""Storefront queries: the catalog at the dealer's prices, the cart, and the dealer's orders."""

from types import SimpleNamespace

import graphene
from django.db.models import Prefetch

from catalog.graphql.types import Product, ProductConnection, ProductEdge, ProductFilterInput
from catalog.selectors import search_variants
from mall.graphql_types import clean_key, clean_text, cursor, paginate
from partners.graphql.viewer import require_dealer, viewer_company
from storefront.graphql.cart import cart_view
from storefront.graphql.pricing import priced_views
from storefront.graphql.types import Cart, Order, OrderConnection, OrderEdge
from storefront.models import Order as OrderModel
from storefront.models import OrderLine


def _orders_of(company):
    lines = Prefetch("lines", queryset=OrderLine.objects.order_by("line_number"))
    return OrderModel.objects.filter(company=company).prefetch_related(lines).order_by("-placed_at", "-id")


class StorefrontQuery(graphene.ObjectType):
    products = graphene.Field(
        ProductConnection,
        required=True,
        first=graphene.Int(description="Page size, 20 by default, at most 100."),
        after=graphene.String(),
        search=graphene.String(description="Matches SKU or product name."),
        filter=ProductFilterInput(),
        description="Orderable SKUs; `pricing` is filled in only for a signed-in dealer.",
    )
    product = graphene.Field(Product, sku=graphene.String(required=True))
    cart = graphene.Field(Cart, description="Requires a signed-in dealer.")
    orders = graphene.Field(OrderConnection, first=graphene.Int(), after=graphene.String())
    order = graphene.Field(Order, number=graphene.String(required=True))

    @staticmethod
    def resolve_products(root, info, first=None, after=None, search=None, filter=None):
        filter = filter or {}
        in_stock = filter.get("in_stock")
        queryset = search_variants(
            search=clean_text(search) or None,
            category=clean_text(filter.get("category"), 128) or None,
            in_stock=in_stock,
        )
        rows, page_info, offset = paginate(queryset, first, after)
        views = priced_views(viewer_company(info), rows, context=info.context)
        edges = [ProductEdge(node=view, cursor=cursor(offset + i)) for i, view in enumerate(views)]
        return SimpleNamespace(queryset=queryset, page_info=page_info, edges=edges)

    @staticmethod
    def resolve_product(root, info, sku):
        sku = clean_key(sku, 64)
        variant = search_variants().filter(sku=sku).first() if sku else None
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
