"""/healthz, /readyz and /metrics: for load balancers, orchestrators and Prometheus."""

import hmac
import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from operations.health import CHECKS, run_checks
from operations.metrics import scrape_registry

logger = logging.getLogger(__name__)
LOCAL_ADDRESSES = {"127.0.0.1", "::1"}


@never_cache
@require_GET
def healthz(request):
    """The process is alive and answers: no database, no broker (a liveness probe)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Ready to serve: database, broker and search answer within the timeout.
    `?check=database,broker` limits the checks (e.g. a load balancer that routes on the
    database only, since search and the broker degrade without failing a page)."""
    only = {name.strip() for name in request.GET.get("check", "").split(",") if name.strip()}
    unknown = only - set(CHECKS)
    if unknown:
        return JsonResponse({"status": "error", "error": f"unknown check: {', '.join(sorted(unknown))}", "checks": list(CHECKS)}, status=400)
    try:
        results = run_checks(only or None)
    except Exception:  # never a 500 and never a stack trace from a probe
        logger.exception("readiness checks failed unexpectedly")
        return JsonResponse({"status": "unavailable", "failing": ["readyz"], "checks": {}}, status=503)
    failing = [result.name for result in results if not result.ok]
    body = {
        "status": "unavailable" if failing else "ok",
        "failing": failing,
        "checks": {result.name: result.as_dict() for result in results},
    }
    return JsonResponse(body, status=503 if failing else 200)


def metrics_allowed(request) -> bool:
    """From this host itself (not through a proxy), or with `Authorization: Bearer <METRICS_TOKEN>`."""
    token = getattr(settings, "METRICS_TOKEN", "")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    proxied = "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META
    return request.META.get("REMOTE_ADDR") in LOCAL_ADDRESSES and not proxied


@never_cache
@require_GET
def metrics(request):
    if not metrics_allowed(request):
        response = HttpResponse("Metrics need a bearer token (METRICS_TOKEN) or a local address.\n", status=403, content_type="text/plain")
        response["WWW-Authenticate"] = "Bearer"
        return response
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
