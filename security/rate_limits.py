"""Rate limits: how many sign-ins, checkouts, searches and ERP calls a client may make per period.

Each policy counts requests under one key (the client's address, the account tried, the
signed-in user, the app token) with django-ratelimit's counters in Django's cache: Redis
(CACHE_URL) in production, so every web process counts into the same bucket. A policy's rate
comes from the settings (RATE_LIMITS, from RATE_LIMIT_* variables; docs/security.md).

Where they apply:
* pages: `RateLimitMiddleware` (one line in MIDDLEWARE) looks the view's URL name up in
  PAGE_POLICIES and answers a translated 429 page before the view runs (the ERP's JSON
  endpoint: its own JSON errors);
* GraphQL: mall/graphql_view.py asks `graphql_refusal` for every root field of the operation
  before any resolver runs; GRAPHQL_POLICIES says which field counts under which policies
  (a new field needs one line there).

A refused request gets HTTP 429 with `Retry-After`: the seconds until its window ends.
"""

import hashlib
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from integrations.inbound.tokens import TOKEN_PREFIX as APP_TOKEN_PREFIX
from operations.client_address import client_ip
from partners.emails import login_form

logger = logging.getLogger(__name__)

# Keeps keys apart from anything else in the shared cache, and one policy's from another's.
GROUP_PREFIX = "dealermall:"
MAX_ACCOUNT_LENGTH = 254


def _ip_key(request, _args) -> str:
    address = ipaddress.ip_address(client_ip(request))
    if address.version == 6:  # one client holds a whole /64: count the network, not the address
        return "ip:" + str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return f"ip:{address}"


def _account_key(request, args) -> str | None:
    # Both spellings of an IDN domain (exämple.com, xn--exmple-cua.com) are one account.
    account = login_form((args.get("account") or "").strip().lower())[:MAX_ACCOUNT_LENGTH]
    return "account:" + account if account else None


def _user_or_ip_key(request, _args) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return _ip_key(request, _args)


def _app_token_key(request, _args) -> str:
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and token.startswith(APP_TOKEN_PREFIX):
        return "token:" + hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
    return _ip_key(request, _args)  # no app token: the call is refused anyway; count it per address


@dataclass(frozen=True)
class Policy:
    name: str
    # (request, {"account": ...}) -> the counter's key, or None when the policy does not apply
    key: Callable[..., str | None]
    description: str


POLICIES = {
    policy.name: policy
    for policy in (
        Policy("login_ip", _ip_key, "sign-in attempts per client address"),
        Policy("login_account", _account_key, "sign-in attempts per account (e-mail or user name tried)"),
        Policy("checkout", _user_or_ip_key, "orders placed per user"),
        Policy("search", _user_or_ip_key, "catalog searches per user (per address when signed out)"),
        Policy("app_token", _app_token_key, "ERP API calls per app token"),
        Policy("two_factor", _user_or_ip_key, "two-factor codes tried per user"),
        Policy("password_change", _user_or_ip_key, "password changes (old passwords tried) per user"),
    )
}

# Pages and the ERP's JSON endpoint: (URL namespace, URL name) -> (HTTP method counted,
# policies, answer: a translated "page" or the inbound API's "json" errors).
PAGE_POLICIES = {
    ("storefront", "login"): ("POST", ("login_ip", "login_account"), "page"),
    ("admin", "login"): ("POST", ("login_ip", "login_account"), "page"),
    ("storefront", "checkout"): ("POST", ("checkout",), "page"),
    ("storefront", "catalog"): ("GET", ("search",), "page"),  # the catalog page is the search page
    ("integrations", "erp_operation"): ("POST", ("app_token",), "json"),  # the same calls as erp* mutations
    ("security", "two_factor_verify"): ("POST", ("login_ip", "two_factor"), "page"),  # staff's six-digit codes
    # A signed-out page that tries secret tokens: counted with the sign-ins of the address.
    ("storefront", "invitation_accept"): ("POST", ("login_ip",), "page"),
    # A signed-in browser left open must not let anyone guess the password behind it.
    ("storefront", "password_change"): ("POST", ("login_ip", "password_change"), "page"),
}

# GraphQL root fields -> (policies, the argument naming the account). Every alias counts.
GRAPHQL_POLICIES = {
    "tokenCreate": (("login_ip", "login_account"), "email"),
    "tokenRefresh": (("login_ip",), None),
    "invitationAccept": (("login_ip",), None),
    "checkoutComplete": (("checkout",), None),
    "products": (("search",), None),
}
# Root fields by prefix: every erp* mutation counts against its app token.
GRAPHQL_PREFIX_POLICIES = {"erp": (("app_token",), None)}


@dataclass(frozen=True)
class Refusal:
    policy: str
    limit: int
    retry_after: int  # seconds


def policies_for_field(field_name: str) -> tuple[tuple[str, ...], str | None]:
    """The policies a GraphQL root field counts under, and the argument that names the account."""
    if field_name in GRAPHQL_POLICIES:
        return GRAPHQL_POLICIES[field_name]
    for prefix, entry in GRAPHQL_PREFIX_POLICIES.items():
        if field_name.startswith(prefix) and field_name[len(prefix) : len(prefix) + 1].isupper():
            return entry
    return (), None


def rate_of(policy_name: str) -> str | None:
    return getattr(settings, "RATE_LIMITS", {}).get(policy_name)


def hit(request, policy_name: str, *, account: str | None = None, times: int = 1) -> Refusal | None:
    """Count `times` requests against the policy; the refusal when that goes over its rate.

    Counting is django-ratelimit's: an atomic add-or-increment in the cache, so concurrent
    requests in any number of processes never let more than the limit through.
    """
    policy = POLICIES[policy_name]
    rate = rate_of(policy_name)
    if not rate or times <= 0:
        return None
    key = policy.key(request, {"account": account})
    if key is None:
        return None
    for _ in range(times):
        try:
            usage = get_usage(
                request, group=GROUP_PREFIX + policy_name, key=lambda _group, _request: key, rate=rate, increment=True
            )
        except Exception:  # the cache is down: RATELIMIT_FAIL_OPEN decides, as for the library's own misses
            logger.exception("Rate limit %s could not be counted", policy_name)
            if getattr(settings, "RATELIMIT_FAIL_OPEN", False):
                return None
            return Refusal(policy_name, 0, 60)
        if usage is None:  # rate limits are off (or the cache missed and RATELIMIT_FAIL_OPEN is on)
            return None
        if usage["should_limit"]:
            refusal = Refusal(policy_name, usage["limit"], max(int(usage["time_left"]), 1))
            logger.warning("Rate limit %s reached (%s, %s): refused for %d s, address %s", policy_name,
                           policy.description, rate, refusal.retry_after, client_ip(request))
            return refusal
    return None


def check_policies(request, policies, *, account: str | None = None, times: int = 1) -> Refusal | None:
    """Count the request against every policy (each keeps its own count); the longest wait."""
    refusals = [r for name in policies if (r := hit(request, name, account=account, times=times))]
    return max(refusals, key=lambda r: r.retry_after) if refusals else None


def graphql_refusal(request, root_fields: list[tuple[str, dict]]) -> Refusal | None:
    """Count the root fields of one GraphQL operation ((name, arguments) per occurrence,
    aliases included) before any of them runs; the refusal if any policy is over its rate."""
    per_policy: dict[tuple[str, str | None], int] = {}
    for name, arguments in root_fields:
        policies, account_argument = policies_for_field(name)
        account = arguments.get(account_argument) if account_argument else None
        account = account if isinstance(account, str) else None
        for policy in policies:
            per_policy[(policy, account)] = per_policy.get((policy, account), 0) + 1
    refusals = [
        r for (policy, account), times in per_policy.items()
        if (r := hit(request, policy, account=account, times=times)) and not _lockout_answers(request, r, account)
    ]
    return max(refusals, key=lambda r: r.retry_after) if refusals else None


SIGN_IN_POLICIES = ("login_ip", "login_account")


def _lockout_answers(request, refusal: Refusal, account: str | None) -> bool:
    """A sign-in refused by a rate limit while its account or address is locked out: the
    lockout answers instead (its Retry-After, its message; LOCKED_OUT in tokenCreate), since
    its wait is the real one. The sign-in goes on to `authenticate()`, which axes refuses
    before any password is checked, so letting it through tries nothing."""
    if refusal.policy not in SIGN_IN_POLICIES or account is None:
        return False
    from security import lockout  # lockout imports this module

    try:
        return lockout.is_locked(request, account)
    except Exception:  # noqa: BLE001 - the database is down: keep the rate limit's answer
        logger.exception("Could not read the lockout of a rate-limited sign-in")
        return False


class RateLimitMiddleware:
    """Counts the pages of PAGE_POLICIES before their view runs; over the rate, a 429 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None:
            return None
        entry = PAGE_POLICIES.get((match.namespace, match.url_name))
        if entry is None:
            return None
        method, policies, answer = entry
        if request.method != method:
            return None
        account = request.POST.get("username") if answer == "page" and method == "POST" else None
        refusal = check_policies(request, policies, account=account)
        if refusal is None:
            return None
        if "login_account" in policies and _lockout_answers(request, refusal, account or None):
            return None  # the sign-in page answers with the lockout (429, its Retry-After)
        if answer == "json":
            return too_many_requests_json(refusal)
        return too_many_requests_page(request, refusal)


def too_many_requests_json(refusal: Refusal):
    message = f"Too many calls for this app token; try again in {refusal.retry_after} seconds."
    body = {"errors": [{"field": None, "code": "RATE_LIMITED", "message": message}], "retry_after": refusal.retry_after}
    response = JsonResponse(body, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response


def too_many_requests_page(request, refusal: Refusal):
    minutes = max((refusal.retry_after + 59) // 60, 1)
    response = render(
        request,
        "storefront/too_many_requests.html",
        {"retry_after": refusal.retry_after, "minutes": minutes, "policy": refusal.policy},
        status=429,
    )
    response["Retry-After"] = str(refusal.retry_after)
    return response
