"""Idempotency keys on real PostgreSQL connections at the same moment (tests/concurrency.py):
two requests with one key, the second arriving while the first is at work, do the work once;
when the first changes nothing, the second does the work itself; three cartAddLines with one
key at once through /graphql/ add the lines once and give the same answer."""

import json
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from mall.auth_tokens import create_access_token
from security.idempotency import Replayed, run_once
from security.models import IdempotentRequest
from storefront.models import CartLine
from tests.concurrency import race
from tests.factories import CompanyFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dealer():
    company = CompanyFactory(name="Alpha Tools Ltd")
    return UserFactory(email="ann@alpha.example", company=company), company


def waiting_locks() -> int:
    """Connections to this test database waiting for a lock (other databases of the server aside)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def first_holds_the_key_while_the_second_arrives(first_work, second_work, user, company):
    """Run the first request until it is inside its work, then send the second with the same
    key and let the first finish only once the second waits on a lock (the key's row)."""
    inside, go = threading.Event(), threading.Event()
    results = {}

    def request(name, work):
        try:
            results[name] = run_once(user=user, company=company, mutation="thingCreate", key="k1", digest="same",
                                     work=work, record=lambda result: result)
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[name] = error
        finally:
            connection.close()

    def first():
        inside.set()
        assert go.wait(10)
        return first_work()

    threads = [threading.Thread(target=request, args=("first", first))]
    threads[0].start()
    assert inside.wait(10)
    threads.append(threading.Thread(target=request, args=("second", second_work)))
    threads[1].start()
    deadline = time.monotonic() + 10
    while not waiting_locks() and time.monotonic() < deadline:
        time.sleep(0.01)
    blocked = waiting_locks() > 0
    go.set()
    for thread in threads:
        thread.join(timeout=30)
    assert blocked, "the second request never waited for the first"
    return results


def test_the_second_request_with_the_key_waits_and_gets_the_first_answer(dealer):
    user, company = dealer
    done = []

    def work(name):
        def run():
            done.append(name)
            return {"made_by": name}
        return run

    results = first_holds_the_key_while_the_second_arrives(work("first"), work("second"), user, company)
    assert done == ["first"]  # exactly one did the work
    assert results == {"first": {"made_by": "first"}, "second": Replayed({"made_by": "first"})}
    assert list(IdempotentRequest.objects.values_list("answer", flat=True)) == [{"made_by": "first"}]


def test_when_the_first_changes_nothing_the_waiting_second_does_the_work(dealer):
    user, company = dealer
    done = []

    def refused():
        done.append("first")
        return None  # record(None) is None: nothing changed, the key's row is rolled back

    def second():
        done.append("second")
        return {"made_by": "second"}

    results = first_holds_the_key_while_the_second_arrives(refused, second, user, company)
    assert done == ["first", "second"]
    assert results == {"first": None, "second": {"made_by": "second"}}
    assert list(IdempotentRequest.objects.values_list("answer", flat=True)) == [{"made_by": "second"}]


ADD = """mutation($key: String) { cartAddLines(lines: [{sku: "FIX-1", quantity: 4}], idempotencyKey: $key) {
  cart { lines { sku quantity } total { amount } } errors { code } } }"""


def test_three_cart_additions_with_one_key_at_once_add_once(dealer):
    user, _company = dealer
    VariantFactory(sku="FIX-1", list_price=Decimal("2.50"), stock=100)
    token = create_access_token(user)

    def post():
        response = Client().post("/graphql/", json.dumps({"query": ADD, "variables": {"key": "same"}}),
                                 content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
        return response.json()["data"]["cartAddLines"]

    results = race(post, post, post)
    expected = {"cart": {"lines": [{"sku": "FIX-1", "quantity": 4}], "total": {"amount": "10.00"}}, "errors": []}
    assert results == [expected, expected, expected]  # 4 x 2.50 list price (no tier)
    assert list(CartLine.objects.values_list("quantity", flat=True)) == [4]
    assert IdempotentRequest.objects.count() == 1
