"""The root GraphQL schema: each app's queries and mutations, composed.

Each app contributes one Query and one Mutation mixin from its graphql/ package; add yours to
the two lists below (one line each), nothing else here.
"""

import graphene

from billing.graphql.mutations import BillingMutation
from billing.graphql.queries import BillingQuery
from deals.graphql.mutations import DealsMutation
from deals.graphql.queries import DealsQuery
from expenses.graphql.mutations import ExpensesMutation
from expenses.graphql.queries import ExpensesQuery
from insights.graphql.queries import InsightsQuery
from integrations.graphql.mutations import ErpMutation
from partners.graphql.invitations import InvitationsMutation, InvitationsQuery
from partners.graphql.messages import MessagesMutation, MessagesQuery
from partners.graphql.mutations import PartnersMutation
from partners.graphql.queries import PartnersQuery
from rebates.graphql.queries import RebatesQuery
from security.graphql.mutations import SecurityMutation
from storefront.graphql.approvals import ApprovalsMutation, ApprovalsQuery
from storefront.graphql.mutations import StorefrontMutation
from storefront.graphql.order_lists import OrderListsMutation, OrderListsQuery
from storefront.graphql.payments import PaymentsMutation, PaymentsQuery
from storefront.graphql.queries import StorefrontQuery
from storefront.graphql.quick_order import QuickOrderMutation
from storefront.graphql.returns import ReturnsMutation, ReturnsQuery
from training.graphql.mutations import TrainingMutation
from training.graphql.queries import TrainingQuery

QUERIES = [
    PartnersQuery,
    StorefrontQuery,
    BillingQuery,
    PaymentsQuery,
    DealsQuery,
    MessagesQuery,
    ExpensesQuery,
    TrainingQuery,
    RebatesQuery,
    ReturnsQuery,
    InsightsQuery,
    OrderListsQuery,
    ApprovalsQuery,
    InvitationsQuery,
]

MUTATIONS = [
    PartnersMutation,
    StorefrontMutation,
    BillingMutation,
    PaymentsMutation,
    DealsMutation,
    MessagesMutation,
    ExpensesMutation,
    TrainingMutation,
    ReturnsMutation,
    OrderListsMutation,
    QuickOrderMutation,
    ApprovalsMutation,
    ErpMutation,
    InvitationsMutation,
    SecurityMutation,
]


class Query(*QUERIES, graphene.ObjectType):
    """Everything a client can read."""


class Mutation(*MUTATIONS, graphene.ObjectType):
    """Everything a client can change."""


schema = graphene.Schema(query=Query, mutation=Mutation)
