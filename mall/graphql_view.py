"""The /graphql/ endpoint: bearer-token authentication and CSRF only where it matters.

* `Authorization: Bearer <token>`: the token alone says who is asking (a bad or expired
  token gets HTTP 401 with a GraphQL error carrying `extensions.code`); the session is not
  used, and CSRF does not apply (a browser cannot attach the header cross-site).
* A signed-in browser session (GraphiQL, the storefront pages): the session user, with CSRF
  protection, since a browser attaches the session cookie cross-site.
* Neither (an API client calling tokenCreate, or browsing the catalog anonymously): an
  anonymous request; CSRF protects nothing there, so it is not asked for.
* Errors that are not ours (a bug) are logged and shown as "Internal server error".
"""

import json
import logging

from django.http import HttpResponse, HttpResponseBadRequest
from django.middleware.csrf import CsrfViewMiddleware
from graphene_django.views import GraphQLView, HttpError
from graphql import GraphQLError, specified_rules

from integrations.inbound.tokens import TOKEN_PREFIX as APP_TOKEN_PREFIX
from mall.auth_tokens import TokenError, user_for_token
from mall.graphql_guards import MaxFieldsRule, clean_body, depth_limit_rule

logger = logging.getLogger(__name__)

MAX_QUERY_DEPTH = 10


def bearer_token(request) -> str | None:
    """The token of an `Authorization: Bearer` header ("" if empty), or None without one."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def _token_error(exc: TokenError) -> HttpResponse:
    body = {"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]}
    response = HttpResponse(json.dumps(body), status=401, content_type="application/json")
    response["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{exc.code}"'
    return response


class JsonCsrfCheck(CsrfViewMiddleware):
    """Django's CSRF check, answering an API client in JSON rather than an HTML page."""

    def _reject(self, request, reason):
        body = {"errors": [{"message": f"CSRF check failed: {reason}", "extensions": {"code": "CSRF_FAILED"}}]}
        return HttpResponse(json.dumps(body), status=403, content_type="application/json")


def _csrf_refusal(request):
    check = JsonCsrfCheck(lambda r: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


class MallGraphQLView(GraphQLView):
    # The standard rules plus a depth limit and a field limit (passing rules replaces the standard ones).
    validation_rules = (*specified_rules, depth_limit_rule(MAX_QUERY_DEPTH), MaxFieldsRule)

    def parse_body(self, request):
        try:
            return clean_body(super().parse_body(request))
        except RecursionError as exc:
            raise HttpError(HttpResponseBadRequest("The body is nested too deeply.")) from exc

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)

        def graphql_endpoint(request, *args, **kwargs):
            token = bearer_token(request)
            if token is None:
                if request.user.is_authenticated and request.method not in ("GET", "HEAD", "OPTIONS"):
                    refusal = _csrf_refusal(request)
                    if refusal is not None:
                        return refusal
                return view(request, *args, **kwargs)
            if token.startswith(APP_TOKEN_PREFIX):
                # An ERP's app token, not a user's: only the erp* mutations accept it (they check it).
                return view(request, *args, **kwargs)
            try:
                request.user = user_for_token(token)
            except TokenError as exc:
                return _token_error(exc)
            return view(request, *args, **kwargs)

        graphql_endpoint.csrf_exempt = True  # checked above for every session-authenticated request
        return graphql_endpoint

    @staticmethod
    def format_error(error):
        if isinstance(error, GraphQLError):
            original = error.original_error
            if original is not None and not isinstance(original, GraphQLError):
                logger.error("GraphQL resolver failed", exc_info=original)
                formatted = error.formatted
                formatted["message"] = "Internal server error."
                formatted["extensions"] = {"code": "INTERNAL_ERROR"}
                return formatted
            return error.formatted
        return {"message": str(error)}
