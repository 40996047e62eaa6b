"""Security headers on the storefront, the back office, /graphql/ and error pages."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from insights import services as insights_services
from insights.tests.factories import at, order
from tests.factories import CompanyFactory, ProductFactory, UserFactory, VariantFactory

STRIPE_SCRIPT = "https://js.stripe.com"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_common_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert directives(response)["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_storefront_page_has_the_strict_policy_with_stripe(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert_common_headers(response)
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", STRIPE_SCRIPT, "https://*.js.stripe.com"]
    assert policy["frame-src"] == [STRIPE_SCRIPT, "https://*.js.stripe.com", "https://hooks.stripe.com"]
    assert policy["connect-src"] == ["'self'", "https://api.stripe.com"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response  # plain HTTP: HSTS only over HTTPS


@pytest.mark.django_db
def test_hsts_over_https_in_production_settings(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert_common_headers(response)


@pytest.mark.django_db
def test_an_emulated_stripe_is_allowed_where_settings_point(client, settings):
    settings.STRIPE_JS_URL = "http://127.0.0.1:8420/js.stripe.com/v3/"
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    policy = directives(client.get("/login/"))
    assert policy["script-src"] == ["'self'", STRIPE_SCRIPT, "https://*.js.stripe.com", "http://127.0.0.1:8420"]
    assert policy["connect-src"] == ["'self'", "https://api.stripe.com", "http://127.0.0.1:8420"]


@pytest.mark.django_db
def test_back_office_allows_inline_styles_but_not_inline_scripts(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert_common_headers(response)
    policy = directives(response)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'", STRIPE_SCRIPT, "https://*.js.stripe.com"]


@pytest.mark.django_db
def test_the_dealer_dashboard_charts_may_carry_inline_styles_only(client):
    """matplotlib's SVG is inlined with style attributes: the chart keeps its colours."""
    dealer = CompanyFactory(name="Alpha")
    lamp = VariantFactory(sku="LAMP", product=ProductFactory(name="Desk lamp"))
    order(dealer, at(timezone.localdate().replace(day=1).isoformat()), [(lamp, 4, "2.50")])
    insights_services.refresh_changed_days()
    client.force_login(UserFactory(email="buyer@alpha.example", company=dealer))
    response = client.get("/dashboard/")
    assert response.status_code == 200 and b'style="fill: #2f6f9f"' in response.content
    policy = directives(response)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'", STRIPE_SCRIPT, "https://*.js.stripe.com"]
    assert directives(client.get("/orders/"))["style-src"] == ["'self'"]


@pytest.mark.django_db
def test_graphiql_page_gets_its_cdn_and_the_api_stays_strict(client):
    page = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and b"graphiql" in page.content.lower()
    assert_common_headers(page)
    policy = directives(page)
    assert "https://cdn.jsdelivr.net" in policy["script-src"] and "'unsafe-inline'" in policy["script-src"]
    api = client.post("/graphql/", {"query": "{ __typename }"}, content_type="application/json")
    assert api.status_code == 200
    assert "'unsafe-inline'" not in api["Content-Security-Policy"]
    assert_common_headers(api)


@pytest.mark.django_db
def test_not_found_page_has_the_headers(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_common_headers(response)
    assert directives(response)["script-src"][0] == "'self'"


@pytest.mark.django_db
@pytest.mark.urls("operations.tests.urls_error")
def test_server_error_page_has_the_headers():
    response = Client(raise_request_exception=False).get("/ops-test/broken/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert_common_headers(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


# What the storefront's CSP forbids: inline scripts, inline event handlers, style attributes.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)


def storefront_templates() -> list[Path]:
    root = Path(django_settings.BASE_DIR)
    found = []
    for folder in root.glob("*/templates"):
        if ".venv" in folder.parts:
            continue
        found += [path for path in folder.rglob("*.html") if "admin" not in path.relative_to(folder).parts]
    return sorted(found)


def test_no_storefront_template_needs_inline_script_or_style():
    templates = storefront_templates()
    assert len(templates) > 30  # the dealer pages, 404 and 500
    problems = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for label, pattern in (("inline <script>", INLINE_SCRIPT), ("event handler", HANDLER), ("style attribute", STYLE_ATTRIBUTE)):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(django_settings.BASE_DIR)}:{line}: {label}")
    assert problems == []
