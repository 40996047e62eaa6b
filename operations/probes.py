"""Answers /healthz, /readyz and /metrics before host validation and HTTPS redirects.

Orchestrators and Prometheus reach a container by its IP address (Host: 10.0.3.7:8000)
over plain HTTP; ALLOWED_HOSTS and SECURE_SSL_REDIRECT would turn those probes into 400s and
301s. These three views build no URL from the Host header, so they are safe to serve to any.
"""

from django.urls import resolve

PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in PROBE_PATHS:
            return self.get_response(request)
        match = resolve(request.path_info)
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response
