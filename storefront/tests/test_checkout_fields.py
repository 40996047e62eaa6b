"""Checkout details: ship-to among the company's addresses (default preselected), requested
delivery date, PO number and note; checked with clear errors, kept on the order, shown on its
page and sent in order.confirmed. And the button says "Submit for approval" above the limit."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from integrations.models import OutboxEvent
from mall.errors import DomainError
from partners.models import Address, Membership
from storefront.models import CartLine, Order
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from storefront.services.checkout_details import clean_details
from tests.webhook_schemas import assert_matches_schema

from .approval_setup import make_catalog, make_dealer

pytestmark = pytest.mark.django_db

CHECKOUT = reverse("storefront:checkout")
TODAY = date(2026, 12, 3)


@pytest.fixture
def dealer():
    make_catalog()
    return make_dealer()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def key_of(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def codes(excinfo) -> list[tuple[str, str]]:
    return [(d.field, d.code) for d in excinfo.value.details]


def test_details_are_checked_field_by_field(dealer):
    ok = clean_details(dealer.company, po_number=" " + "P" * 64 + " ", note="n" * 1000,
                       requested_delivery_date="2026-12-03", today=TODAY)
    assert ok.po_number == "P" * 64 and len(ok.note) == 1000 and ok.requested_delivery_date == TODAY
    assert ok.ship_to.name == "A1 depot"  # no choice: the default address
    with pytest.raises(DomainError) as bad:
        clean_details(dealer.company, po_number="P" * 65, note="n" * 1001, requested_delivery_date="2026-12-02", today=TODAY)
    assert codes(bad) == [("po_number", "TOO_LONG"), ("note", "TOO_LONG"), ("requested_delivery_date", "IN_THE_PAST")]
    with pytest.raises(DomainError) as unreadable:
        clean_details(dealer.company, requested_delivery_date="3/12/2026", po_number="A\nB", today=TODAY)
    assert codes(unreadable) == [("po_number", "INVALID"), ("requested_delivery_date", "INVALID")]
    with pytest.raises(DomainError) as far:
        clean_details(dealer.company, requested_delivery_date=TODAY + timedelta(days=367), today=TODAY)
    assert codes(far) == [("requested_delivery_date", "TOO_FAR")]
    assert clean_details(dealer.company, requested_delivery_date=TODAY + timedelta(days=366), today=TODAY)


def test_an_address_of_another_company_is_not_found(dealer):
    other = make_dealer("B2")
    theirs = Address.objects.get(company=other.company, is_default_shipping=True)
    with pytest.raises(DomainError) as foreign:
        clean_details(dealer.company, ship_to_address_id=theirs.pk)
    assert codes(foreign) == [("ship_to_address_id", "NOT_FOUND")]
    with pytest.raises(DomainError) as junk:
        clean_details(dealer.company, ship_to_address_id="12abc")
    assert codes(junk) == [("ship_to_address_id", "NOT_FOUND")]


def test_the_details_are_kept_on_the_order_and_sent_to_the_erp(dealer):
    shop = Address.objects.get(company=dealer.company, name="A1 shop")
    wanted = timezone.localdate() + timedelta(days=5)
    add_lines(dealer.buyer, dealer.company, [LineChange("BIG-100", 1)])
    order = checkout_complete(user=dealer.buyer, company=dealer.company, idempotency_key="k1", ship_to_address_id=shop.pk,
                              po_number="PO-2026-17", requested_delivery_date=wanted, note="Ring twice").order
    order.refresh_from_db()
    assert (order.po_number, order.requested_delivery_date, order.note) == ("PO-2026-17", wanted, "Ring twice")
    assert order.ship_to == {"name": "A1 shop", "line1": "9 High Street", "line2": "", "city": "York",
                             "postal_code": "YO1 7HH", "country": "United Kingdom"}
    event = OutboxEvent.objects.get(event_type="order.confirmed")
    sent = event.data["order"]
    assert (sent["po_number"], sent["requested_delivery_date"], sent["note"]) == ("PO-2026-17", wanted.isoformat(), "Ring twice")
    assert sent["ship_to"]["city"] == "York"
    assert_matches_schema("order.confirmed", event)


def test_a_bad_detail_places_nothing_and_keeps_the_cart(dealer):
    add_lines(dealer.buyer, dealer.company, [LineChange("BIG-100", 1)])
    with pytest.raises(DomainError):
        checkout_complete(user=dealer.buyer, company=dealer.company, idempotency_key="k1", po_number="P" * 65)
    assert not Order.objects.exists() and CartLine.objects.filter(cart__user=dealer.buyer).count() == 1


def test_the_page_lists_the_addresses_with_the_default_chosen(dealer):
    client = signed_in(dealer.buyer)
    add_lines(dealer.buyer, dealer.company, [LineChange("BIG-100", 1)])
    html = client.get(CHECKOUT).content.decode()
    default = Address.objects.get(company=dealer.company, is_default_shipping=True)
    shop = Address.objects.get(company=dealer.company, name="A1 shop")
    assert f'name="ship_to_address_id" value="{default.pk}" checked' in html
    assert f'name="ship_to_address_id" value="{shop.pk}">' in html
    assert "9 High Street" in html and "1 Dock Road" in html
    for field in ('for="checkout-po"', 'for="checkout-date"', 'for="checkout-note"'):
        assert field in html
    assert f'min="{timezone.localdate().isoformat()}"' in html
    assert ">Place order</button>" in html and "Submit for approval" not in html  # 100.00: within the limit


def test_above_the_limit_the_button_says_submit_for_approval(dealer):
    client = signed_in(dealer.buyer)
    add_lines(dealer.buyer, dealer.company, [LineChange("BIG-100", 1), LineChange("PENNY", 1)])
    html = client.get(CHECKOUT).content.decode()
    assert ">Submit for approval</button>" in html and ">Place order</button>" not in html
    assert "above your order limit of £100.00" in html
    answer = client.post(CHECKOUT, {"idempotency_key": key_of(html), "expected_total": "100.01"}, follow=True)
    order = Order.objects.get()
    assert order.status == Order.Status.PENDING_APPROVAL
    assert f"Order {order.number} is waiting for approval" in answer.content.decode()
    Membership.objects.filter(user=dealer.buyer).update(order_limit=None)
    add_lines(dealer.buyer, dealer.company, [LineChange("PENNY", 1)])
    assert ">Place order</button>" in client.get(CHECKOUT).content.decode()


def test_the_page_posts_the_details_and_the_order_page_shows_them(dealer):
    client = signed_in(dealer.buyer)
    add_lines(dealer.buyer, dealer.company, [LineChange("BIG-100", 1)])
    shop = Address.objects.get(company=dealer.company, name="A1 shop")
    wanted = (timezone.localdate() + timedelta(days=2)).isoformat()
    key = key_of(client.get(CHECKOUT).content.decode())
    answer = client.post(CHECKOUT, {"idempotency_key": key, "ship_to_address_id": shop.pk, "po_number": "PO-9",
                                    "requested_delivery_date": wanted, "note": "Side gate"}, follow=True)
    html = answer.content.decode()
    order = Order.objects.get()
    assert order.status == Order.Status.CONFIRMED and order.ship_to["name"] == "A1 shop"
    assert "PO-9" in html and "Side gate" in html and "9 High Street" in html
    assert 'class="delivery-date"' in html


def test_errors_are_told_and_what_was_typed_stays(dealer):
    client = signed_in(dealer.buyer)
    add_lines(dealer.buyer, dealer.company, [LineChange("BIG-100", 1)])
    key = key_of(client.get(CHECKOUT).content.decode())
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    answer = client.post(CHECKOUT, {"idempotency_key": key, "po_number": "P" * 65, "requested_delivery_date": yesterday,
                                    "note": "Keep me"})
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "A PO number can have at most 64 characters." in html
    assert "The requested delivery date cannot be in the past." in html
    assert ">Keep me</textarea>" in html and f'value="{yesterday}"' in html
    assert not Order.objects.exists()
