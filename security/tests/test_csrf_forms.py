"""CSRF on every form: each page URL refuses a POST without the CSRF token, signed in; the
only exempt views are machine endpoints with their own authentication."""

import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from partners.models import Membership
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

# Not browser forms: bearer tokens or signatures authenticate them (a browser cannot forge those
# cross-site); /graphql/ still checks CSRF for session requests itself (tests/test_graphql_auth.py).
EXEMPT = {"graphql/", "integrations/stripe/webhook/", "integrations/erp/v1/<slug:operation>/"}
SAMPLE = {"int": "1", "str": "X1", "slug": "x1", "path": "X1", "uuid": "00000000-0000-0000-0000-000000000001"}


def all_routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from all_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def sample_path(route: str) -> str:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)
    return "/" + re.sub(r"\(\?P<\w+>[^)]*\)", "x1", route)


def test_only_machine_endpoints_are_csrf_exempt():
    exempt = {route for route, pattern in all_routes() if getattr(pattern.callback, "csrf_exempt", False)}
    assert exempt == EXEMPT


@pytest.mark.parametrize("role", [Membership.Role.ADMIN, "staff"])
def test_every_page_refuses_a_post_without_the_csrf_token(role):
    if role == "staff":
        user = UserFactory(email="kim@vendor.example", is_staff=True, is_superuser=True)
    else:
        user = UserFactory(email="admin@alpha.example", company=CompanyFactory(), company__role=role)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    routes = [
        route for route, pattern in all_routes()
        if route not in EXEMPT and not route.startswith("admin/") or route in ("admin/login/", "admin/logout/")
    ]
    routes += ["admin/two-factor/enrol/", "admin/two-factor/verify/", "admin/auth/user/1/change/", "admin/password_change/"]
    assert len(routes) > 60
    accepted = []
    for route in routes:
        path = sample_path(route)
        response = browser.post(path, {"username": "x", "password": "y", "quantity": "1"})
        if response.status_code != 403:
            accepted.append((path, response.status_code))
    # The probes answer before any view (operations/probes.py) and take no POST at all.
    assert accepted == [("/healthz", 405), ("/readyz", 405), ("/metrics", 405)]


def test_with_the_token_the_same_form_is_accepted():
    user = UserFactory(email="admin@alpha.example", company=CompanyFactory())
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.get(reverse("storefront:catalog"))
    token = browser.cookies["csrftoken"].value
    response = browser.post(reverse("storefront:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and "_auth_user_id" not in browser.session
