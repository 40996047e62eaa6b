"""The root GraphQL schema: each app's queries and mutations, composed."""

import graphene

from partners.graphql.mutations import PartnersMutation
from partners.graphql.queries import PartnersQuery
from storefront.graphql.mutations import StorefrontMutation
from storefront.graphql.queries import StorefrontQuery


class Query(PartnersQuery, StorefrontQuery, graphene.ObjectType):
    """Everything a client can read."""


class Mutation(PartnersMutation, StorefrontMutation, graphene.ObjectType):
    """Everything a client can change."""


schema = graphene.Schema(query=Query, mutation=Mutation)
