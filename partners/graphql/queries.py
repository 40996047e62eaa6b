import graphene

from partners.graphql.types import User
from partners.graphql.viewer import viewer


class PartnersQuery(graphene.ObjectType):
    me = graphene.Field(User, description="The signed-in user; null when signed out.")

    @staticmethod
    def resolve_me(root, info):
        return viewer(info)
