"""axe-core on the main storefront pages, desktop and phone: no serious or critical violation.

axe runs under the site's real Content-Security-Policy (conftest's `axe` fixture).
"""

import json

import pytest

from tests.browser.scenario import PAGES

pytestmark = pytest.mark.django_db


def test_main_pages_have_no_serious_accessibility_violations(page, filled_cart, sign_in_as, axe, shot):
    sign_in_as(filled_cart.buyer)
    found = {}
    for name, url in PAGES.items():
        response = page.goto(url)
        assert response.status == 200, f"{name} {url}: {response.status}"
        shot(name)
        if violations := axe():
            found[name] = violations
    assert not found, json.dumps(found, indent=1)


def test_login_page_has_no_serious_accessibility_violations(page, axe, shot):
    page.goto("/login/")
    shot("login")
    violations = axe()
    assert not violations, json.dumps(violations, indent=1)
