import graphene

from security.graphql.mutations import TokenCreate


class PartnersMutation(graphene.ObjectType):
    # Sign-in lives with the other token mutations (security/graphql/mutations.py).
    token_create = TokenCreate.Field()
