"""The Content-Security-Policy of each part of the site (django-csp 4).

* Storefront (everything by default): the settings' CONTENT_SECURITY_POLICY: own origin
  only, plus the Stripe hosts Stripe.js needs on the card page; no inline script, no inline
  style, no framing (frame-ancestors 'none').
* Back office (/admin/): the same, but styles may be inline (a few back-office templates
  carry <style> blocks and style attributes; Django's own admin has no inline script).
* GraphiQL (the HTML page of /graphql/ when GRAPHIQL is on; off in production): it loads
  its scripts from cdn.jsdelivr.net and boots with an inline script.
* Dealer pages that inline matplotlib's SVG charts (INLINE_STYLE_VIEWS): the SVG carries
  style attributes and a <style> element, so styles (never scripts) may be inline there.
  Serving the charts as <img src="data:image/svg+xml;..."> would remove this exception.
* Tests and emulators may point STRIPE_JS_URL / STRIPE_API_BASE elsewhere; those origins
  are added at response time so the card page keeps working there.
"""

from urllib.parse import urlsplit

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

from operations.csp_policy import STRIPE_CONNECT_HOSTS, STRIPE_SCRIPT_HOSTS

GRAPHIQL_CDN = "https://cdn.jsdelivr.net"
INLINE_STYLE_VIEWS = frozenset({"storefront:dashboard"})


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _configured_stripe_extras() -> dict:
    extras: dict[str, list[str]] = {}
    js = _origin(getattr(settings, "STRIPE_JS_URL", ""))
    if js and js not in STRIPE_SCRIPT_HOSTS:
        extras["script-src"] = [js]
        extras["frame-src"] = [js]
    api = _origin(getattr(settings, "STRIPE_API_BASE", ""))
    if api and api not in STRIPE_CONNECT_HOSTS:
        extras["connect-src"] = [api]
    return extras


def _is_graphiql(request, response) -> bool:
    return request.path_info.startswith("/graphql") and response.get("Content-Type", "").startswith("text/html")


class SitePolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        replace = dict(parts.replace or {})
        update = dict(parts.update or {})
        match = getattr(request, "resolver_match", None)
        if request.path_info.startswith("/admin/") or (match is not None and match.view_name in INLINE_STYLE_VIEWS):
            replace.setdefault("style-src", [SELF, UNSAFE_INLINE])
        elif _is_graphiql(request, response):
            replace.setdefault("script-src", [SELF, GRAPHIQL_CDN, UNSAFE_INLINE])
            replace.setdefault("style-src", [SELF, GRAPHIQL_CDN, UNSAFE_INLINE])
            replace.setdefault("img-src", [SELF, "data:", GRAPHIQL_CDN])
            replace.setdefault("font-src", [SELF, "data:", GRAPHIQL_CDN])
        for directive, origins in _configured_stripe_extras().items():
            update[directive] = [*update.get(directive, []), *origins]
        parts.replace = replace or None
        parts.update = update or None
        return parts
