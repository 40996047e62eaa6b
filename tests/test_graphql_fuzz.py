"""A short GraphQL fuzzing run in the suite (the long one is bench/fuzz.py): schemathesis writes
documents for every query and mutation, sent through Django's whole stack to /graphql/ as an
anonymous visitor, a dealer buyer and a dealer admin (bearer tokens), and the erp* mutations
with an ERP app token, against a small real catalog with orders, on the test database. Deterministic (hypothesis derandomized: the same
documents every run). Any 5xx, INTERNAL_ERROR or error without a code fails it
(tests/graphql_fuzzing.py says exactly what counts)."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from integrations.inbound.models import Scope
from integrations.inbound.tokens import create_token
from mall.auth_tokens import create_access_token
from partners.models import Membership
from tests.factories import (
    CategoryFactory,
    CompanyFactory,
    OrderFactory,
    OrderLineFactory,
    UserFactory,
    VariantFactory,
    VoucherFactory,
)
from tests.graphql_fuzzing import Tally, first_of_each_kind, fuzz_operation, judge, operations

pytestmark = pytest.mark.django_db

# Documents per operation: about 85 operations x (2 + 1 + 1) and 6 erp* x 2: about 350 requests.
EXAMPLES = {"buyer": 2, "admin": 1, "anonymous": 1, "erp": 2}


@pytest.fixture
def world(dealer_a, dealer_b):
    category = CategoryFactory(name="Lights", slug="lights")
    skus = []
    for index, (name, price) in enumerate([("Star lantern", "4.95"), ("Heart t-light holder", "2.55"), ("Tin sign", "1.25")]):
        sku = f"FZ-{index:03d}"
        VariantFactory(sku=sku, list_price=Decimal(price), stock=50, product__name=name, product__category=category)
        skus.append(sku)
    admin = UserFactory(email="admin@alpha.example", company=dealer_a.membership.company, company__role=Membership.Role.ADMIN)
    own = OrderFactory(number="DM00000001", company=dealer_a.membership.company, user=dealer_a)
    OrderLineFactory(order=own, sku=skus[0], line_number=1, quantity=2)
    other = OrderFactory(number="DM00000002", company=dealer_b.membership.company)
    VoucherFactory(code="WINTER5")
    CompanyFactory(code="D99999")
    values = {
        "sku": skus + ["NOPE-1"],
        "order_number": [own.number, other.number],
        "thread_key": [own.number, other.number, "1"],
        "id": ["1", "2", "3", str(admin.pk), str(dealer_a.pk)],
        "search": ["lantern", "heart", "FZ-001", "t-light"],
        "category": ["lights"],
        "first": [0, 1, 2, 20, 100],
        "cursor": ["YXJyYXljb25uZWN0aW9uOjA="],
        "email": ["buyer@alpha.example", "admin@alpha.example"],
        "slug": ["intro"],
        "dealer_code": ["D99999", dealer_a.membership.company.code],
        "invoice": ["INV-2026-000001"],
        "voucher": ["WINTER5", "winter5 "],
        "currency": ["GBP", "EUR"],
    }
    erp = create_token("fuzz", Scope.values)[1]
    return {"anonymous": None, "buyer": dealer_a, "admin": admin, "erp": erp}, values


def test_fuzzed_graphql_requests_get_typed_answers(world):
    identities, values = world
    client = Client()
    tally = Tally()
    for operation in operations(values):
        for identity, user in identities.items():
            if identity == "erp" and not operation.label.startswith("Mutation.erp"):
                continue  # the ERP's app token opens only the erp* mutations
            token = user if isinstance(user, str) else create_access_token(user) if user else None
            headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

            def send(query, identity=identity, headers=headers, operation=operation):
                response = client.post("/graphql/", json.dumps({"query": query}), content_type="application/json", **headers)
                tally.requests += 1
                reason, codes = judge(response.status_code, response.content)
                tally.statuses[response.status_code] += 1
                tally.codes.update(codes)
                if reason:
                    tally.failures.append(_failure(reason, operation.label, identity, query, response))

            fuzz_operation(operation, EXAMPLES[identity], send)
    assert tally.requests >= 300
    assert not tally.failures, "\n\n".join(f.describe() for f in first_of_each_kind(tally.failures))


def _failure(reason, label, identity, query, response):
    from tests.graphql_fuzzing import Failure

    return Failure(reason, label, identity, query, response.status_code, response.content.decode(errors="replace"))
