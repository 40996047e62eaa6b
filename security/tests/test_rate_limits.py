"""Rate limits against a real Redis (as in production, CACHE_URL): the request after the limit
is refused with 429 and Retry-After before anything runs, the window resets, each user, account,
address and app token has its own count, a made-up X-Forwarded-For gets no fresh count, and
concurrent requests never let more than the limit through.

Most tests use the default rates (settings.RATE_LIMITS, docs/security.md): the limits are on
in the suite; conftest.py only gives each test its own counters.
"""

import json
import time
import zlib

import django_ratelimit.core
import pytest
import redis
from django.test import Client
from django.urls import NoReverseMatch, reverse

from integrations.inbound.tokens import create_token
from security.rate_limits import client_ip
from storefront.models import Order
from tests.concurrency import race
from tests.factories import PASSWORD, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/7"  # this test module's own Redis database
TOKEN_CREATE = """mutation($email: String!, $password: String!) {
  tokenCreate(email: $email, password: $password) { token errors { code } } }"""
PRODUCTS = "{ products(first: 1) { totalCount } }"
CHECKOUT = """mutation($key: String!) { checkoutComplete(idempotencyKey: $key, paymentMethod: ON_ACCOUNT) {
  order { number } errors { code } } }"""
STOCK = """mutation($key: String!) { erpStockLevels(idempotencyKey: $key, rows: []) { appliedCount errors { code } } }"""


@pytest.fixture(autouse=True)
def redis_counters(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    redis.Redis.from_url(REDIS_URL).flushdb()
    yield
    redis.Redis.from_url(REDIS_URL).flushdb()


def post_graphql(client, query, variables=None, *, token=None, **meta):
    if token:
        meta["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables or {}})
    return client.post("/graphql/", body, content_type="application/json", **meta)


class RateLimitClock:
    """django-ratelimit's clock, moved on by a test instead of waited for: its counting windows
    and Retry-After come from `time.time()` in django_ratelimit.core, which reads the real time
    plus `offset` seconds here (the counters stay in Redis, with their real expiry)."""

    def __init__(self):
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def ratelimit_clock(monkeypatch):
    clock = RateLimitClock()
    monkeypatch.setattr(django_ratelimit.core, "time", clock)
    return clock


def wait_for_a_fresh_window(clock: RateLimitClock, key: str, period: int, needed: float) -> None:
    """Move the clock on, if need be, until the next `needed` seconds fall in one counting
    window of `key` (what sleeping until then did, without the wait).

    django-ratelimit's windows of a key end at crc32(key) mod period past each whole period (so
    not every client's window ends at once); a test counting up to a limit must not cross one.
    """
    now = clock.time()
    end = int(now) - int(now) % period + zlib.crc32(key.encode()) % period
    if end < int(now):
        end += period
    left = end + 1 - now  # the window still counts during the second `end`
    if left < needed:
        clock.advance(left + 0.05)


def assert_rate_limited(response, field, period=3600):
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= period
    assert response.json() == {"errors": [{
        "message": f"Too many requests for {field}; try again in {retry_after} seconds.",
        "extensions": {"code": "RATE_LIMITED", "retryAfter": retry_after},
    }]}


def test_the_limits_are_on_by_default(settings):
    assert settings.RATELIMIT_ENABLE is True
    assert settings.RATE_LIMITS == {
        "login_ip": "30/m", "login_account": "5/m", "checkout": "10/m", "search": "120/m", "app_token": "600/m",
        "two_factor": "5/m", "password_change": "5/m",
    }
    assert settings.MIDDLEWARE[-1] == "security.rate_limits.RateLimitMiddleware"


# ---------------------------------------------------------------- sign-in


def test_the_sixth_sign_in_for_one_account_within_a_minute_is_refused(client, ratelimit_clock):
    user = UserFactory(email="buyer@alpha.example")
    wait_for_a_fresh_window(ratelimit_clock, "account:buyer@alpha.example", 60, needed=20)
    for _ in range(5):  # the default: 5 a minute per account
        body = post_graphql(client, TOKEN_CREATE, {"email": "buyer@alpha.example", "password": "wrong"}).json()
        assert body["data"]["tokenCreate"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    # The sixth is refused before the password is looked at, even the right one, and in any case.
    refused = post_graphql(client, TOKEN_CREATE, {"email": " Buyer@ALPHA.example", "password": PASSWORD})
    assert_rate_limited(refused, "tokenCreate", period=60)
    # Another account from the same address is not touched (30 a minute per address).
    UserFactory(email="buyer@beta.example")
    other = post_graphql(client, TOKEN_CREATE, {"email": "buyer@beta.example", "password": PASSWORD}).json()
    assert other["data"]["tokenCreate"]["token"]
    assert user.is_active


def test_aliases_count_each_time(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_account": "3/h"}
    fields = " ".join(f'a{n}: tokenCreate(email: "x@example.com", password: "p{n}") {{ errors {{ code }} }}' for n in range(4))
    assert_rate_limited(post_graphql(client, "mutation { " + fields + " }"), "tokenCreate")


def test_sign_in_per_address_counts_pages_admin_and_api_together(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "3/h"}
    post_graphql(client, TOKEN_CREATE, {"email": "a@example.com", "password": "x"})
    assert client.post("/login/", {"username": "b@example.com", "password": "x"}).status_code == 200  # the form again
    assert client.post("/admin/login/", {"username": "c", "password": "x"}).status_code == 200
    refused = client.post("/admin/login/", {"username": "d", "password": "x"})
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 3600
    assert_rate_limited(post_graphql(client, TOKEN_CREATE, {"email": "e@example.com", "password": "x"}), "tokenCreate")
    # Another address still signs in.
    elsewhere = post_graphql(client, TOKEN_CREATE, {"email": "e@example.com", "password": "x"}, REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 200


def test_the_sign_in_page_answers_a_translated_429_page(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_account": "5/h"}
    for _ in range(5):
        assert client.post("/login/", {"username": "buyer@alpha.example", "password": "x"}).status_code == 200
    english = client.post("/login/", {"username": "buyer@alpha.example", "password": "x"})
    assert english.status_code == 429 and english["Retry-After"]
    html = english.content.decode()
    assert "<h1>Too many requests</h1>" in html and "too many sign-in attempts" in html
    chinese = client.post("/login/", {"username": "buyer@alpha.example", "password": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 429
    assert "<h1>请求过多</h1>" in chinese.content.decode()


def test_a_made_up_forwarded_for_gets_no_fresh_count(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "2/h"}

    def sign_in(forwarded, remote="203.0.113.5"):
        return post_graphql(client, TOKEN_CREATE, {"email": f"{forwarded}@example.com", "password": "x"},
                            REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    # No trusted proxy (the default): the header is ignored.
    assert sign_in("10.0.0.1").status_code == 200
    assert sign_in("10.0.0.2").status_code == 200
    assert sign_in("10.0.0.3").status_code == 429
    # Behind one proxy (REMOTE_ADDR 10.9.9.9), which appends the address it saw: what the
    # client wrote to the left of it changes nothing.
    settings.TRUSTED_PROXY_COUNT = 1
    assert sign_in("1.1.1.1, 198.51.100.20", remote="10.9.9.9").status_code == 200
    assert sign_in("2.2.2.2, 198.51.100.20", remote="10.9.9.9").status_code == 200
    assert sign_in("3.3.3.3, 198.51.100.20", remote="10.9.9.9").status_code == 429
    assert sign_in("3.3.3.3, 198.51.100.21", remote="10.9.9.9").status_code == 200  # another client


def test_client_ip_reads_only_what_trusted_proxies_wrote(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.1, 10.0.0.8")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.9"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.8"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "192.0.2.1"
    settings.TRUSTED_PROXY_COUNT = 5  # fewer entries than proxies: the first, written by a proxy of ours
    assert client_ip(request) == "6.6.6.6"
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(garbage) == "10.0.0.9"
    assert client_ip(rf.get("/", REMOTE_ADDR="")) == "0.0.0.0"  # a Unix socket


# ---------------------------------------------------------------- checkout


@pytest.fixture
def dealer_a():
    return UserFactory(email="buyer@alpha.example", company=CompanyFactory(name="Alpha Tools Ltd"))


@pytest.fixture
def dealer_b():
    return UserFactory(email="buyer@beta.example", company=CompanyFactory(name="Beta Supplies Ltd"))


def test_checkout_over_the_limit_writes_nothing(client, settings, graphql, dealer_a, dealer_b):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "checkout": "2/h"}
    api_a, api_b = graphql(dealer_a), graphql(dealer_b)
    for n in range(2):  # empty carts: refused by checkout itself (a typed error), but counted
        assert api_a.execute(CHECKOUT, {"key": f"k{n}"})["data"]["checkoutComplete"]["errors"]
    assert_rate_limited(api_a.post(CHECKOUT, {"key": "k3"}), "checkoutComplete")
    assert Order.objects.count() == 0
    # Dealer B's buyer has a count of its own.
    assert api_b.post(CHECKOUT, {"key": "k1"}).status_code == 200
    # The checkout page of dealer A's buyer shares the count: a 429 page.
    client.force_login(dealer_a)
    page = client.post("/checkout/", {"idempotency_key": "k4"})
    assert page.status_code == 429 and "checkout is paused" in page.content.decode()


# ---------------------------------------------------------------- search


def test_search_per_user_and_per_address_when_signed_out(client, settings, graphql, dealer_a, dealer_b):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "3/h"}
    api_a = graphql(dealer_a)
    for _ in range(3):
        assert api_a.post(PRODUCTS).status_code == 200
    assert_rate_limited(api_a.post(PRODUCTS), "products")
    assert graphql(dealer_b).post(PRODUCTS).status_code == 200  # another user
    assert graphql().post(PRODUCTS).status_code == 200  # signed out: counted per address
    # Signed out, the catalog page and the API share the address's count.
    assert client.get("/", {"q": "hammer"}).status_code == 200
    assert client.get("/").status_code == 200
    page = client.get("/", {"q": "nails"})
    assert page.status_code == 429 and "searching is paused" in page.content.decode()
    assert_rate_limited(graphql().post(PRODUCTS), "products")
    # A query that does not search is not counted.
    assert graphql().post("{ me { email } }").status_code == 200


def test_the_window_resets(graphql, settings, ratelimit_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "2/2s"}
    api = graphql()
    for _ in range(10):  # a window may end between two requests: go on until refused
        response = api.post(PRODUCTS)
        if response.status_code == 429:
            break
    assert response.status_code == 429
    ratelimit_clock.advance(int(response["Retry-After"]) + 1.0)  # as if that long had passed
    assert api.post(PRODUCTS).status_code == 200


def test_switched_off_by_setting(graphql, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "1/h"}
    settings.RATELIMIT_ENABLE = False
    api = graphql()
    assert [api.post(PRODUCTS).status_code for _ in range(3)] == [200, 200, 200]


# ---------------------------------------------------------------- ERP app tokens


def test_erp_calls_are_counted_per_app_token(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "app_token": "2/h"}
    _, first = create_token("SAP production", ["stock:write"])
    _, second = create_token("SAP test", ["stock:write"])
    for n in range(2):
        body = post_graphql(client, STOCK, {"key": f"s{n}"}, token=first).json()
        assert body["data"]["erpStockLevels"]["appliedCount"] == 0
    assert_rate_limited(post_graphql(client, STOCK, {"key": "s3"}, token=first), "erpStockLevels")
    # The JSON endpoint is the same API: the same count, answered in its own error shape.
    refused = client.post("/integrations/erp/v1/stock/", json.dumps({"rows": []}), content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {first}", HTTP_IDEMPOTENCY_KEY="s4")
    assert refused.status_code == 429 and refused["Retry-After"]
    assert refused.json()["errors"][0]["code"] == "RATE_LIMITED"
    assert post_graphql(client, STOCK, {"key": "s1"}, token=second).status_code == 200


# ---------------------------------------------------------------- concurrency and outages


def test_concurrent_requests_let_through_at_most_the_limit(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "5/h"}

    def search():
        return post_graphql(Client(), PRODUCTS).status_code  # one thread, one Redis connection each

    statuses = race(*[search] * 16)
    assert sorted(statuses) == [200] * 5 + [429] * 11


def test_an_unreachable_cache_lets_requests_through_and_logs(graphql, settings, caplog):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens there
    assert graphql().post(PRODUCTS).status_code == 200
    assert "Rate limit search could not be counted" in caplog.text
    settings.RATELIMIT_FAIL_OPEN = False  # the operator's choice: refuse instead
    response = graphql().post(PRODUCTS)
    assert response.status_code == 429 and response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_staff_two_factor_codes_are_counted_per_user(client, settings):
    try:
        verify = reverse("security:two_factor_verify")
    except NoReverseMatch:
        pytest.skip("the two-factor pages are not installed")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "two_factor": "3/h"}
    staff = UserFactory(email="kim@vendor.example", is_staff=True)
    client.force_login(staff)
    for n in range(3):
        assert client.post(verify, {"otp_token": f"00000{n}"}).status_code != 429
    page = client.post(verify, {"otp_token": "000009"})
    assert page.status_code == 429 and "two-factor codes" in page.content.decode()


def test_root_fields_spread_from_a_fragment_are_counted(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "2/h"}
    spread = """mutation { ...SignIn } fragment SignIn on Mutation {
      a: tokenCreate(email: "a@example.com", password: "x") { token } }"""
    assert post_graphql(client, spread).status_code == 200
    assert post_graphql(client, spread).status_code == 200
    assert_rate_limited(post_graphql(client, spread), "tokenCreate")


def test_token_refresh_counts_with_the_sign_ins_of_the_address(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "3/h"}
    refresh = 'mutation { tokenRefresh(refreshToken: "not-a-token") { token errors { code } } }'
    assert post_graphql(client, TOKEN_CREATE, {"email": "a@example.com", "password": "x"}).status_code == 200
    for _ in range(2):
        assert post_graphql(client, refresh).json()["data"]["tokenRefresh"]["token"] is None
    assert_rate_limited(post_graphql(client, refresh), "tokenRefresh")


def test_invitation_links_tried_by_page_or_api_count_with_the_sign_ins_of_the_address(client, settings):
    """Guessing invitation tokens is guessing a secret: 3 tries an hour here, page and API together."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "3/h"}
    accept = (
        'mutation { invitationAccept(token: "guess", firstName: "A", lastName: "B", password: "x") '
        "{ success errors { code } } }"
    )
    assert post_graphql(client, accept).json()["data"]["invitationAccept"]["success"] is False
    page = client.post("/invitations/guess-two/", {"first_name": "A", "last_name": "B"})
    assert page.status_code != 429
    assert post_graphql(client, accept).json()["data"]["invitationAccept"]["success"] is False
    assert_rate_limited(post_graphql(client, accept), "invitationAccept")
    assert client.post("/invitations/guess-three/", {"first_name": "A"}).status_code == 429


def test_old_passwords_tried_on_the_password_page_are_limited_per_user(client, settings, dealer_a):
    """Someone at an unlocked browser cannot guess the password behind it at speed."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_change": "3/h"}
    client.force_login(dealer_a)
    wrong = {"old_password": "not-it", "new_password1": "a-Long-new-pass-42", "new_password2": "a-Long-new-pass-42"}
    for _ in range(3):
        assert client.post("/account/password/", wrong).status_code == 200  # the form, with its error
    refused = client.post("/account/password/", wrong)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
