"""The /graphql/ endpoint: bearer-token authentication and CSRF only where it matters.

* `Authorization: Bearer <token>`: the token alone says who is asking (a bad or expired
  token gets HTTP 401 with a GraphQL error carrying `extensions.code`); the session is not
  used, and CSRF does not apply (a browser cannot attach the header cross-site).
* A signed-in browser session (GraphiQL, the storefront pages): the session user, with CSRF
  protection, since a browser attaches the session cookie cross-site.
* Neither (an API client calling tokenCreate, or browsing the catalog anonymously): an
  anonymous request; CSRF protects nothing there, so it is not asked for.
* Errors that are not ours (a bug) are logged and shown as "Internal server error".

What a request may ask for is checked before anything runs (docs/api.md, "Limits"): depth,
field count, cost and page size (validation rules: mall/graphql_guards.py, mall/graphql_cost.py),
introspection (GRAPHQL_INTROSPECTION), then the rate limits of its root fields
(security/rate_limits.py): over a rate, HTTP 429 with Retry-After and no resolver has run.
A mutation sent with GET (or any method but GET and POST) gets HTTP 405 with `Allow` and a
coded error (METHOD_NOT_ALLOWED).
"""

import json
import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.middleware.csrf import CsrfViewMiddleware
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionContext, GraphQLError, specified_rules
from graphql.execution.collect_fields import collect_fields
from graphql.execution.values import get_argument_values

from integrations.inbound.tokens import TOKEN_PREFIX as APP_TOKEN_PREFIX
from mall.auth_tokens import TokenError, user_for_token
from mall.graphql_cost import DEFAULT_MAX_COST, cost_rule
from mall.graphql_guards import (
    IntrospectionDisabledRule,
    MaxFieldsRule,
    StringLiteralRule,
    clean_body,
    depth_limit_rule,
)
from security.rate_limits import graphql_refusal, policies_for_field

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


class RateLimitedError(GraphQLError):
    def __init__(self, field_name: str, retry_after: int):
        super().__init__(
            f"Too many requests for {field_name}; try again in {retry_after} seconds.",
            extensions={"code": "RATE_LIMITED", "retryAfter": retry_after},
        )


class RateLimitedExecution(ExecutionContext):
    """Counts the operation's root fields against their rate limits before the first resolver
    runs (after validation: a refused document costs no budget); over a rate, nothing runs."""

    def execute_operation(self, operation, root_value):
        root_type = self.schema.get_root_type(operation.operation)
        request = self.context_value
        if root_type is not None and request is not None:
            try:
                fields = collect_fields(self.schema, self.fragments, self.variable_values, root_type, operation.selection_set)
            except RecursionError:
                fields = {}  # the standard execution below refuses it
            occurrences = []
            for nodes in fields.values():  # one entry per response key: every alias counts
                node = nodes[0]
                definition = root_type.fields.get(node.name.value)
                occurrences.append((node.name.value, _arguments(definition, node, self.variable_values)))
            refusal = graphql_refusal(request, occurrences)
            if refusal is not None:
                request.rate_limit_refusal = refusal
                refused = next(name for name, _ in occurrences if refusal.policy in policies_for_field(name)[0])
                raise RateLimitedError(refused, refusal.retry_after)
        return super().execute_operation(operation, root_value)


def _arguments(definition, node, variables) -> dict:
    if definition is None:
        return {}
    try:
        return get_argument_values(definition, node, variables)
    except (GraphQLError, TypeError, ValueError):
        return {}  # execution refuses the arguments itself; only the account key is lost here


class MallGraphQLView(GraphQLView):
    execution_context_class = RateLimitedExecution

    @staticmethod
    def rules_for(variables) -> tuple:
        """The standard rules plus depth, field and cost limits (passing rules
        replaces the standard ones), and no introspection where it is switched off."""
        rules = [
            *specified_rules,
            depth_limit_rule(MAX_QUERY_DEPTH),
            MaxFieldsRule,
            StringLiteralRule,
            cost_rule(getattr(settings, "GRAPHQL_MAX_COST", DEFAULT_MAX_COST), variables if isinstance(variables, dict) else {}),
        ]
        if not getattr(settings, "GRAPHQL_INTROSPECTION", True):
            rules.append(IntrospectionDisabledRule)
        return tuple(rules)

    def get_response(self, request, data, show_graphiql=False):
        _query, variables, _operation, _id = self.get_graphql_params(request, data)
        self.validation_rules = self.rules_for(variables)  # one view instance per request
        return super().get_response(request, data, show_graphiql)

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        refusal = getattr(request, "rate_limit_refusal", None)
        if refusal is not None:
            response.status_code = 429
            response["Retry-After"] = str(refusal.retry_after)
        return response

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
        if isinstance(error, HttpError) and error.response.status_code == 405:
            # graphene's refusal of a mutation over GET (Allow: POST) or of another method
            # (Allow: GET, POST): coded like our other refusals; the status and Allow stay.
            return {"message": str(error), "extensions": {"code": "METHOD_NOT_ALLOWED"}}
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
