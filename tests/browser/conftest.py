"""Browser tests: Playwright drives Debian's Chromium against a live Django server on 127.0.0.1.

One server and one Chromium per pytest process (so one each per xdist worker), a fresh browser
context per test, every test on a desktop and a phone viewport. `make browser-deps` installs
Chromium (as root) and axe-core (npm ci in this folder); without Chromium every test here is
skipped, with the reason. Screenshots of each step go to test-artifacts/screenshots/<test>/.

The server shares the test's database connection, so each test runs in the usual rolled-back
transaction (`django_db`). pytest-django's live_server needs transactional tests instead, whose
flush (TRUNCATE of 115 tables) took 5.8 s per test on this machine. For that the server
handles one request at a time (never two threads on the connection), the browser's favicon
request is answered by the browser itself, and Django's end-of-request close_old_connections
is off while a browser test runs (it would close the connection inside the test's transaction).
"""

import os
import re
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import WSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections
from django.test import Client
from django.test.testcases import LiveServerThread
from playwright.sync_api import expect

from storefront.services.cart import LineChange, add_lines
from tests.browser.scenario import build_scenario

CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
# Headless here: no sandbox (root), no GPU, and no background traffic to Google's hosts, which
# this machine's closed network refuses (slow starts and noise otherwise).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1},
}
TIMEOUT_MS = 15_000  # generous: the 2-core machine is shared by the whole suite


expect.set_options(timeout=TIMEOUT_MS)


def pytest_generate_tests(metafunc):
    if "viewport" in metafunc.fixturenames:
        metafunc.parametrize("viewport", list(VIEWPORTS), scope="function")


# Held while the server answers a request: a test's teardown waits on it, so the rollback of
# the test's transaction never runs on the shared connection in the middle of a request the
# browser was still making (a connection used by two threads at once breaks).
REQUEST_IN_FLIGHT = threading.Lock()


class _OneAtATimeServer(WSGIServer):
    """Not threaded: requests take turns on the shared connection (Django answers them with
    Connection: close, so a browser's parallel requests queue instead of blocking)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        with REQUEST_IN_FLIGHT:
            super().process_request(request, client_address)


class _ServerThread(LiveServerThread):
    server_class = _OneAtATimeServer


@pytest.fixture(scope="session")
def shop_server(django_db_setup, django_db_blocker):
    """The base URL of a server on 127.0.0.1 that uses the tests' own database connection."""
    with django_db_blocker.unblock():
        connection = connections["default"]
        connection.inc_thread_sharing()
        thread = _ServerThread("127.0.0.1", StaticFilesHandler, connections_override={"default": connection})
        thread.daemon = True
        REQUEST_IN_FLIGHT.acquire()  # no request is answered outside a test (see `live`)
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
        REQUEST_IN_FLIGHT.release()  # a request queued meanwhile must not block the shutdown
        thread.terminate()
        connection.dec_thread_sharing()


@pytest.fixture
def live(shop_server, db):
    """Per test: the server's URL, with the test's transaction open and kept open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    REQUEST_IN_FLIGHT.release()  # the server may answer now
    yield shop_server
    # Wait for the request in flight, then keep the server off the connection while the test's
    # transaction is rolled back (until the next test lets it answer again).
    REQUEST_IN_FLIGHT.acquire()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser-deps` as root (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop marked running on this thread until the session
    # ends; the tests' ORM calls are plain synchronous code all the same, so Django's
    # async-context guard is switched off (and asyncio.run() cannot be used by later tests of
    # the same process).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def context(browser, live, viewport):
    ctx = browser.new_context(base_url=live, locale="en-GB", timezone_id="Europe/London", **VIEWPORTS[viewport])
    ctx.set_default_timeout(TIMEOUT_MS)
    # No favicon: its 404 would be one more request on the shared connection, at any moment.
    ctx.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def scenario(live):
    """A Gold dealer with a buyer (order limit 500.00), an approver and a past order (scenario.py)."""
    return build_scenario()


@pytest.fixture
def filled_cart(scenario):
    """The scenario with 2 x LAN-100 (36.00) and 3 x MUG-300 (21.60) in the buyer's cart."""
    add_lines(scenario.buyer, scenario.company, [LineChange("LAN-100", 2), LineChange("MUG-300", 3)])
    return scenario


@pytest.fixture
def sign_in_as(context, live):
    """Give the browser a signed-in session of `user` (as Django's force_login), skipping the form.

    The sign-in page itself is proven by test_sign_in; the other tests start signed in.
    """

    def sign_in(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.clear_cookies()
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live}])

    return sign_in


@pytest.fixture
def shot(page, request, viewport):
    """`shot("cart")` saves a full-page screenshot as the step's test artifact."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    folder = SCREENSHOTS / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    count = {"n": 0}

    def take(step: str):
        count["n"] += 1
        path = folder / f"{count['n']:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path

    return take


AXE_URL = "/__axe__/axe.min.js"  # answered by the browser context itself, never by the server
BLOCKING_IMPACTS = ("serious", "critical")


@pytest.fixture
def axe(context, page):
    """`axe()` runs axe-core on the page as it is and returns its serious and critical violations.

    axe is served to the page at a same-origin URL by Playwright (a route), so it loads under
    the site's real Content-Security-Policy (script-src 'self'), which an inline script would not.
    """
    if not AXE_JS.exists():
        pytest.skip(f"{AXE_JS} is missing: run `make browser-deps` (npm ci in tests/browser)")
    body = AXE_JS.read_bytes()
    context.route(f"**{AXE_URL}", lambda route: route.fulfill(status=200, body=body, content_type="application/javascript"))

    def run() -> list[dict]:
        page.add_script_tag(url=AXE_URL)
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
            if v["impact"] in BLOCKING_IMPACTS
        ]

    return run
