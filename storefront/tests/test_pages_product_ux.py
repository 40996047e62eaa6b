"""The product page: picture (placeholder), prices, volume breaks, stock, rules, and "you bought
this before" from the dealer's own orders only.

History worked out by hand (Europe/London, GMT in March):
  Acme: 1 Feb 2011 confirmed, 6 units; 12 Mar 2011 10:15 shipped, two lines 20 + 4 = 24 units
  (and a free gift unit, not counted); 20 Mar 2011 cancelled, 99 units; 25 Mar 2011 waiting
  for approval, 50 units -> "last ordered 12 Mar 2011, 24 units".
  Other Dealer: 1 Apr 2011 confirmed, 500 units -> it sees "1 Apr 2011, 500 units", never Acme's.
"""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from storefront.models import Order
from storefront.purchases import last_purchase
from tests.factories import OrderFactory, OrderLineFactory

from .conftest import make_user
from .html_audit import heading_jumps, unlabelled_controls

pytestmark = pytest.mark.django_db

PRODUCT = reverse("storefront:product", args=["85123A"])


def _order(company, when, status=Order.Status.CONFIRMED, lines=(), number=None):
    order = OrderFactory(company=company, placed_at=when, status=status, **({"number": number} if number else {}))
    for n, (variant, quantity, gift) in enumerate(lines, start=1):
        OrderLineFactory(order=order, line_number=n, variant=variant, sku=variant.sku, quantity=quantity, is_gift=gift)
    return order


@pytest.fixture
def history(company, other_company, variant):
    _order(company, datetime(2011, 2, 1, 9, 0, tzinfo=UTC), lines=[(variant, 6, False)])
    _order(company, datetime(2011, 3, 12, 10, 15, tzinfo=UTC), Order.Status.FULFILLED,
           [(variant, 20, False), (variant, 4, False), (variant, 1, True)], number="DM00000012")
    _order(company, datetime(2011, 3, 20, 9, 0, tzinfo=UTC), Order.Status.CANCELLED, [(variant, 99, False)])
    _order(company, datetime(2011, 3, 25, 9, 0, tzinfo=UTC), Order.Status.PENDING_APPROVAL, [(variant, 50, False)])
    _order(other_company, datetime(2011, 4, 1, 9, 0, tzinfo=UTC), lines=[(variant, 500, False)])


def test_bought_before_shows_the_last_real_order_date_and_units(dealer_client, history):
    html = dealer_client.get(PRODUCT).content.decode()
    assert "You bought this before: last ordered 12 Mar 2011, 24 units" in html
    assert 'href="/orders/DM00000012/"' in html
    assert "500 units" not in html and "1 Apr 2011" not in html  # the other dealer's order


def test_another_dealer_never_sees_these_purchases(client, other_company, history):
    client.force_login(make_user("buyer@other.example", other_company))
    html = client.get(PRODUCT).content.decode()
    assert "last ordered 1 Apr 2011, 500 units" in html
    assert "12 Mar 2011" not in html and "24 units" not in html and "DM00000012" not in html


def test_dealer_that_never_bought_it_and_visitors_see_nothing(client, gold, history):
    from .conftest import make_company

    client.force_login(make_user("new@fresh.example", make_company("D003", "Fresh Ltd", tier=gold)))
    assert "You bought this before" not in client.get(PRODUCT).content.decode()
    client.logout()
    assert "You bought this before" not in client.get(PRODUCT).content.decode()


def test_last_purchase_is_one_query(company, variant, history):
    with CaptureQueriesContext(connection) as queries:
        found = last_purchase(company, variant)
    assert len(queries) == 1
    assert (found.order_number, found.quantity) == ("DM00000012", 24)
    assert found.placed_at == datetime(2011, 3, 12, 10, 15, tzinfo=UTC)


def test_product_page_has_placeholder_prices_breaks_stock_and_rules(dealer_client, variant):
    variant.min_quantity, variant.order_multiple = 12, 6
    variant.save()
    html = dealer_client.get(PRODUCT).content.decode()
    assert 'src="/static/storefront/placeholder.svg"' in html
    assert '<dd class="list-price">£2.55</dd>' in html
    assert '<dd class="your-price">£2.10</dd>' in html  # at the minimum, 12 units: the break from 10
    assert '<tr data-testid="volume-break"><th scope="row">from 10</th><td>£2.10</td></tr>' in html
    assert "100 available" in html
    assert "Minimum order: 12 units" in html and "multiples of 6" in html
    assert unlabelled_controls(html) == [] and heading_jumps(html) == []
