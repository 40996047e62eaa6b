"""Page weight: no storefront page loads more than 200 KB of JavaScript.

Counted in the browser: the bodies of every response of type "script" that a page fetched, on
the main pages and on every page the header links to.
(The catalog's fixed query count is pinned in storefront/tests/test_pages_catalog.py.)
"""

import pytest

from tests.browser.scenario import PAGES

pytestmark = pytest.mark.django_db

JS_BUDGET_BYTES = 200 * 1024


def test_no_page_loads_more_than_200_kb_of_javascript(page, filled_cart, sign_in_as):
    sign_in_as(filled_cart.buyer)
    scripts: dict[str, int] = {}

    def count(response):
        if response.request.resource_type == "script":
            scripts[response.url] = len(response.body())

    page.on("response", count)
    page.goto("/")
    # The main pages, and every page the header links to (rebates, dashboard, deals, funds, ...).
    linked = page.eval_on_selector_all("header a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
    urls = {**PAGES, **{href: href for href in linked if href not in PAGES.values()}, "login": "/login/"}
    weights = {}
    for name, url in urls.items():
        scripts.clear()
        response = page.goto(url, wait_until="load")
        assert response.status == 200, f"{url}: {response.status}"
        weights[name] = sum(scripts.values())
    print("JavaScript bytes per page:", weights)
    over = {name: size for name, size in weights.items() if size > JS_BUDGET_BYTES}
    assert not over, f"JavaScript bytes per page (budget {JS_BUDGET_BYTES}): {weights}"
