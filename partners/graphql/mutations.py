import graphene

from mall.auth_tokens import authenticate_by_email, create_access_token
from mall.graphql_types import Error


class TokenCreate(graphene.Mutation):
    """Exchange e-mail and password for an access token (send it as `Authorization: Bearer`)."""

    class Arguments:
        email = graphene.String(required=True)
        password = graphene.String(required=True)

    token = graphene.String()
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, email, password):
        user = authenticate_by_email(email, password)
        if user is None:
            error = Error(field="email", code="INVALID_CREDENTIALS", message="E-mail or password is wrong.")
            return TokenCreate(token=None, errors=[error])
        return TokenCreate(token=create_access_token(user), errors=[])


class PartnersMutation(graphene.ObjectType):
    token_create = TokenCreate.Field()
