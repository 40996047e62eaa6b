"""The dealers of bench/load.py, for locust (run by load.py in its own process: locust's gevent
patching must not meet Django, so nothing here imports the project).

Each simulated dealer signs in with its own account and session (the login page, then the
form), then repeats, with a pause between actions (LOAD_WAIT, seconds):
  browse  70%  a catalog page (a category, a page of it) or a product page
  search  20%  the catalog searched for a word of the product names
  cart    10%  add one line from a product page, view the cart, open checkout, place the
               order on account (the form's own idempotency key and expected total)
The clock starts when every dealer has tried to sign in (LOAD_USERS of them; signing in is
slow on purpose: PBKDF2): locust stops LOAD_SECONDS later. Every request is kept (kind, name,
milliseconds, failed or not, when it ended) and written with that start to the results file
when locust stops; load.py works the figures out from it.

LOAD_PLAN names a JSON file: {"users": [e-mail, ...], "password": ..., "skus": [...],
"words": [...], "categories": [...], "catalog_pages": n, "results": path}.
"""

import itertools
import json
import os
import random
import re
import time

import gevent
from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())
WAIT = [float(x) for x in os.environ.get("LOAD_WAIT", "0.5,1.5").split(",")]
ACCOUNTS = itertools.cycle(PLAN["users"])
USERS = int(os.environ["LOAD_USERS"])
MEASURE_SECONDS = float(os.environ["LOAD_SECONDS"])
RECORDS = []
STATE = {"signed_in": 0, "since": None, "environment": None}
HIDDEN = re.compile(r'name="(idempotency_key|expected_total)"[^>]*?value="([^"]*)"|value="([^"]*)"[^>]*?name="(idempotency_key|expected_total)"')
ORDER_URL = re.compile(r"/orders/[^/]+/$")


@events.request.add_listener
def keep(request_type, name, response_time, response_length, exception=None, **kwargs):
    RECORDS.append((name.split(":")[0], name, response_time, exception is not None, time.time()))


@events.init.add_listener
def remember(environment, **kwargs):
    STATE["environment"] = environment


@events.quitting.add_listener
def write_results(environment, **kwargs):
    with open(PLAN["results"], "w") as out:
        json.dump({"since": STATE["since"], "seconds": MEASURE_SECONDS, "records": RECORDS}, out)


def signed_in() -> None:
    """Start the clock when the last dealer has signed in; stop locust MEASURE_SECONDS later."""
    STATE["signed_in"] += 1
    if STATE["signed_in"] == USERS:
        STATE["since"] = time.time()
        gevent.spawn_later(MEASURE_SECONDS, STATE["environment"].runner.quit)


class Dealer(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        self.email = next(ACCOUNTS)
        self.client.get("/login/", name="sign-in: form")
        with self.client.post(
            "/login/", name="sign-in: post", catch_response=True,
            data={"username": self.email, "password": PLAN["password"], "csrfmiddlewaretoken": self._csrf()},
        ) as answer:
            if "/login/" in answer.url:
                answer.failure(f"sign-in of {self.email} refused")
        signed_in()

    def _csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    @task(70)
    def browse(self):
        if random.random() < 0.5:
            page = random.randint(1, PLAN["catalog_pages"])
            category = random.choice(PLAN["categories"] + [""])
            query = f"?category={category}&page={page if not category else 1}" if category else f"?page={page}"
            self._page("/" + query, "browse: catalog")
        else:
            self._page(f"/products/{random.choice(PLAN['skus'])}/", "browse: product")

    @task(20)
    def search(self):
        self._page(f"/?q={random.choice(PLAN['words'])}", "search: catalog")

    @task(10)
    def cart_and_checkout(self):
        sku = random.choice(PLAN["skus"])
        product = f"/products/{sku}/"
        self._page(product, "cart: product page")
        with self.client.post("/cart/add/", name="cart: add line", catch_response=True,
                              data={"sku": sku, "quantity": 1, "next": product, "csrfmiddlewaretoken": self._csrf()}) as answer:
            if answer.status_code != 200 or "/cart/add/" in answer.url:
                answer.failure(f"adding {sku} answered {answer.status_code}")
                return
        self._page("/cart/", "cart: view")
        form = self._page("/checkout/", "cart: checkout form")
        if form is None:
            return
        fields = {m[0] or m[3]: m[1] or m[2] for m in HIDDEN.findall(form)}
        with self.client.post("/checkout/", name="cart: place order", catch_response=True,
                              data={**fields, "payment_method": "on_account", "csrfmiddlewaretoken": self._csrf()}) as answer:
            if answer.status_code != 200 or not ORDER_URL.search(answer.url):
                answer.failure(f"checkout answered {answer.status_code} at {answer.url}")

    def _page(self, path: str, name: str) -> str | None:
        with self.client.get(path, name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{path} answered {answer.status_code}")
                return None
            return answer.text
