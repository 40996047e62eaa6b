from graphene_django.views import GraphQLView


class MallGraphQLView(GraphQLView):
    pass
