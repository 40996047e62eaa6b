"""Dealer pages: rebate progress and wallet on the rebates page, a return asked from the order
page; another dealer's order or return is not found, anonymous users are sent to sign in."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from rebates.services import credit_wallet
from rebates.tests.factories import RebateProgramFactory
from storefront.models import Return
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from tests.factories import CompanyFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    VariantFactory(sku="LAMP", list_price=D("10.00"), stock=100, product__name="Brass lamp")
    a, b = CompanyFactory(), CompanyFactory()
    user_a, user_b = UserFactory(company=a), UserFactory(company=b)
    add_lines(user_a, a, [LineChange("LAMP", 3)])
    order = checkout_complete(user=user_a, company=a, idempotency_key="k").order
    return user_a, a, user_b, order


def test_rebates_page_shows_progress_and_wallet(client, shop):
    user_a, a, _, _ = shop
    RebateProgramFactory(name="Lamp club", ladder=[(100, 2)], starts_on="2000-01-01", ends_on="2100-12-31")
    add_lines(user_a, a, [LineChange("LAMP", 2)])
    checkout_complete(user=user_a, company=a, idempotency_key="k2")  # 20.00 accrued towards 100 (the first order predates it)
    credit_wallet(company=a, amount=D("12.50"), currency="GBP", reason="Q1 rebate", reference="S-1", idempotency_key="s")
    client.force_login(user_a)
    page = client.get(reverse("storefront:rebates")).content.decode()
    assert "80.00 more this quarter for 2%" in page
    assert "£12.50" in page and "Q1 rebate" in page


def test_return_from_the_order_page(client, shop):
    user_a, _, _, order = shop
    client.force_login(user_a)
    assert reverse("storefront:return_new", args=[order.number]) in client.get(reverse("storefront:order_detail", args=[order.number])).content.decode()
    url = reverse("storefront:return_new", args=[order.number])
    form = client.get(url).content.decode()
    assert "Brass lamp" in form and 'max="3"' in form
    too_many = client.post(url, {"qty-1": "4", "reason": "Scratched", "idempotency_key": "r1"})
    assert too_many.status_code == 400 and "at most 3 more" in too_many.content.decode()
    done = client.post(url, {"qty-1": "2", "reason": "Scratched", "idempotency_key": "r2"})
    ret = Return.objects.get()
    assert done.status_code == 302 and done.url == reverse("storefront:return_detail", args=[ret.number])
    detail = client.get(done.url).content.decode()
    assert "Requested" in detail and "£20.00" in detail and "Scratched" in detail


def test_other_dealers_and_anonymous(client, shop):
    user_a, a, user_b, order = shop
    client.force_login(user_a)
    client.post(reverse("storefront:return_new", args=[order.number]), {"qty-1": "1", "idempotency_key": "r"})
    ret = Return.objects.get()
    client.force_login(user_b)
    assert client.get(reverse("storefront:return_new", args=[order.number])).status_code == 404
    assert client.post(reverse("storefront:return_new", args=[order.number]), {"qty-1": "1"}).status_code == 404
    assert client.get(reverse("storefront:return_detail", args=[ret.number])).status_code == 404
    assert "Q1" not in client.get(reverse("storefront:rebates")).content.decode()
    client.logout()
    for url in (reverse("storefront:rebates"), reverse("storefront:return_detail", args=[ret.number])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url
    assert Return.objects.count() == 1


def test_checkout_page_spends_rebate_credit(client, shop, settings):
    settings.REBATE_MAX_SHARE = D("0.5")
    user_a, a, _, _ = shop
    credit_wallet(company=a, amount=D("40.00"), currency="GBP", reason="Q1 rebate", reference="S-1", idempotency_key="s")
    add_lines(user_a, a, [LineChange("LAMP", 5)])  # 50.00: at most 25.00 from the wallet
    client.force_login(user_a)
    page = client.get(reverse("storefront:checkout")).content.decode()
    assert 'name="rebate_credit"' in page and 'max="25.00"' in page and "£40.00" in page
    response = client.post(reverse("storefront:checkout"), {"idempotency_key": "page-1", "expected_total": "50.00",
                                                            "payment_method": "on_account", "rebate_credit": "25.00"})
    assert response.status_code == 302
    order = a.orders.get(idempotency_key="page-1")
    assert order.rebate_credit_used == D("25.00")
    assert client.get(reverse("storefront:rebates")).content.decode().count("£15.00") >= 1


def test_return_form_refuses_odd_digits_and_long_reasons_and_each_new_form_is_a_new_request(client, shop):
    user_a, _, _, order = shop
    client.force_login(user_a)
    url = reverse("storefront:return_new", args=[order.number])
    for odd in ("²", "٣", "１"):  # str.isdigit() says yes to these; int() or the dealer would be surprised
        answer = client.post(url, {"qty-1": odd, "reason": "x", "idempotency_key": f"odd-{odd}"})
        assert answer.status_code == 400 and "whole number of units" in answer.content.decode()
    long = client.post(url, {"qty-1": "1", "reason": "y" * 2001, "idempotency_key": "long"})
    assert long.status_code == 400 and "at most 2,000 characters" in long.content.decode()
    assert not Return.objects.exists()
    first_key = client.get(url).context["key"]
    assert client.post(url, {"qty-1": "1", "reason": "Dented", "idempotency_key": first_key}).status_code == 302
    second_key = client.get(url).context["key"]
    assert second_key != first_key
    assert client.post(url, {"qty-1": "1", "reason": "Dented", "idempotency_key": second_key}).status_code == 302
    assert Return.objects.count() == 2
    # 3 ordered, 2 asked back: the third form may take 1 more, not 2
    third = client.post(url, {"qty-1": "2", "reason": "Dented", "idempotency_key": client.get(url).context["key"]})
    assert third.status_code == 400 and Return.objects.count() == 2
