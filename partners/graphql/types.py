import graphene

from partners.graphql.viewer import viewer_company


class Company(graphene.ObjectType):
    """The dealer company of the signed-in user."""

    name = graphene.String(required=True)
    code = graphene.String(required=True, description="The vendor's customer number.")
    currency = graphene.String(required=True)
    tier = graphene.String(description="Tier name, e.g. Gold.")
    region = graphene.String(description="Region name.")

    @staticmethod
    def resolve_tier(root, info):
        return root.tier.name if root.tier_id else None

    @staticmethod
    def resolve_region(root, info):
        return root.region.name if root.region_id else None


class User(graphene.ObjectType):
    email = graphene.String(required=True)
    company = graphene.Field(Company)

    @staticmethod
    def resolve_company(root, info):
        return viewer_company(info)
