"""Deal queries: the signed-in dealer's own deals only."""

from types import SimpleNamespace

import graphene

from deals import selectors
from deals.graphql.types import Deal, DealConnection, DealEdge, DealStateEnum
from mall.graphql_types import clean_key, cursor, paginate
from partners.graphql.viewer import require_dealer


class DealsQuery(graphene.ObjectType):
    deals = graphene.Field(DealConnection, required=True, first=graphene.Int(), after=graphene.String(), state=DealStateEnum())
    deal = graphene.Field(Deal, id=graphene.ID(required=True), description="One of your deals; null for any other.")

    @staticmethod
    def resolve_deals(root, info, first=None, after=None, state=None):
        _, company = require_dealer(info)
        queryset = selectors.deals_of(company).prefetch_related("transitions__by__membership", "attributions__order")
        if state is not None:
            queryset = queryset.filter(state=getattr(state, "value", state))
        rows, page_info, offset = paginate(queryset, first, after)
        edges = [DealEdge(node=deal, cursor=cursor(offset + i)) for i, deal in enumerate(rows)]
        return SimpleNamespace(queryset=queryset.order_by(), page_info=page_info, edges=edges)

    @staticmethod
    def resolve_deal(root, info, id):
        _, company = require_dealer(info)
        return selectors.deal_of(company, clean_key(id, 20))
