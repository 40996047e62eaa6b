"""Puts the request's actor (user, IP, user agent) where `audit.services.record` finds it,
for the length of the request only. Placed after AuthenticationMiddleware."""

from audit import context


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.set_actor(context.from_request(request))
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
