"""axe-core on the main storefront pages, desktop and phone: no serious or critical violation.

axe is injected as a script tag, which the site's Content-Security-Policy refuses (rightly), so
these contexts bypass CSP; every other browser test runs under the real policy.
"""

import json

import pytest

from tests.browser.scenario import PAGES

pytestmark = pytest.mark.django_db

BLOCKING = {"serious", "critical"}


@pytest.fixture
def context_options():
    return {"bypass_csp": True}


def axe_violations(page, axe_script) -> list[dict]:
    page.add_script_tag(path=axe_script)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def test_main_pages_have_no_serious_accessibility_violations(page, filled_cart, sign_in_as, axe_script, shot):
    sign_in_as(filled_cart.buyer)
    found = {}
    for name, url in PAGES.items():
        response = page.goto(url)
        assert response.status == 200, f"{name} {url}: {response.status}"
        shot(name)
        if violations := axe_violations(page, axe_script):
            found[name] = violations
    assert not found, json.dumps(found, indent=1)


def test_login_page_has_no_serious_accessibility_violations(page, axe_script, shot):
    page.goto("/login/")
    shot("login")
    violations = axe_violations(page, axe_script)
    assert not violations, json.dumps(violations, indent=1)
