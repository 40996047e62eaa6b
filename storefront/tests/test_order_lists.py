"""Saved order lists on the pages: made from the cart, empty, or from a product page; renamed,
edited, deleted; the whole list into the cart in one click with the lines that cannot be
ordered reported. Lists belong to the company; another dealer gets a 404."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Stock
from storefront.models import Cart, CartLine, OrderList, OrderListLine

from .conftest import make_user, make_variant

pytestmark = pytest.mark.django_db

LISTS = reverse("storefront:order_lists")


def cart_of(user) -> dict[str, int]:
    return {line.variant.sku: line.quantity for line in CartLine.objects.filter(cart__user=user).select_related("variant")}


def lines_of(order_list) -> list[tuple[str, int]]:
    return [(line.variant.sku, line.quantity) for line in order_list.lines.select_related("variant").order_by("position")]


def detail(order_list) -> str:
    return reverse("storefront:order_list", args=[order_list.pk])


@pytest.fixture
def box(warehouse):
    return make_variant("BOX-6", "Boxed screws", "1.00", warehouse=warehouse, order_multiple=6)


@pytest.fixture
def weekly(company, buyer, variant, box):
    order_list = OrderList.objects.create(company=company, name="Weekly", created_by=buyer)
    OrderListLine.objects.create(order_list=order_list, variant=variant, quantity=4, position=1)
    OrderListLine.objects.create(order_list=order_list, variant=box, quantity=12, position=2)
    return order_list


def test_save_the_cart_as_a_list_and_order_it_again(dealer_client, buyer, variant, box):
    dealer_client.post(reverse("storefront:quick_order"), {"lines": "85123A 3\nBOX-6 6"})
    assert 'data-testid="save-as-list"' in dealer_client.get(reverse("storefront:cart")).content.decode()
    page = dealer_client.post(reverse("storefront:cart_save_as_list"), {"name": "  Monday   restock "})
    order_list = OrderList.objects.get()
    assert page.status_code == 302 and page.url == detail(order_list)
    assert order_list.name == "Monday restock" and order_list.created_by == buyer
    assert lines_of(order_list) == [("85123A", 3), ("BOX-6", 6)]
    assert cart_of(buyer) == {"85123A": 3, "BOX-6": 6}  # the cart stays as it was
    CartLine.objects.all().delete()
    page = dealer_client.post(reverse("storefront:order_list_add_to_cart", args=[order_list.pk]))
    assert page.status_code == 302 and page.url == reverse("storefront:cart")
    assert cart_of(buyer) == {"85123A": 3, "BOX-6": 6}


def test_a_colleague_sees_and_orders_the_companys_list(client, company, weekly):
    colleague = make_user("second@acme.example", company)
    client.force_login(colleague)
    html = client.get(LISTS).content.decode()
    assert "Weekly" in html and 'data-testid="order-list-row"' in html
    client.post(reverse("storefront:order_list_add_to_cart", args=[weekly.pk]))
    assert cart_of(colleague) == {"85123A": 4, "BOX-6": 12}


def test_lines_that_cannot_be_ordered_now_are_reported_the_rest_go_in(dealer_client, buyer, weekly, box, variant):
    Stock.objects.filter(variant=box).update(quantity_on_hand=5)
    variant.product.is_active = False
    variant.product.save()
    dealer_client.post(reverse("storefront:quick_order"), {"lines": "BOX-6 0"})  # nothing; cart exists
    page = dealer_client.post(reverse("storefront:order_list_add_to_cart", args=[weekly.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    statuses = re.findall(r'data-testid="quick-order-line" data-line="(\d+)" data-status="(\w+)"', html)
    assert statuses == [("1", "NOT_FOR_SALE"), ("2", "OUT_OF_STOCK")]
    assert "85123A is no longer for sale." in html and "Only 5 of BOX-6 in stock; you asked for 12." in html
    assert cart_of(buyer) == {}
    variant.product.is_active = True
    variant.product.save()
    page = dealer_client.post(reverse("storefront:order_list_add_to_cart", args=[weekly.pk]))
    assert page.status_code == 200 and cart_of(buyer) == {"85123A": 4}
    assert "The other lines are in your cart at today" in page.content.decode()
    assert lines_of(weekly) == [("85123A", 4), ("BOX-6", 12)]  # the list is unchanged


def test_create_rename_edit_remove_delete(dealer_client, company, variant, box):
    page = dealer_client.post(LISTS, {"name": "Site A"})
    order_list = OrderList.objects.get(name="Site A")
    assert page.url == detail(order_list)
    assert "This list is empty" in dealer_client.get(detail(order_list)).content.decode()
    empty = dealer_client.post(reverse("storefront:order_list_add_to_cart", args=[order_list.pk]))
    assert empty.status_code == 400 and "This list has no lines yet." in empty.content.decode()
    dealer_client.post(detail(order_list), {"action": "add", "sku": "85123a", "quantity": "2"})
    dealer_client.post(detail(order_list), {"action": "add", "sku": "BOX-6", "quantity": "6"})
    dealer_client.post(detail(order_list), {"action": "add", "sku": "85123A", "quantity": "3"})
    assert lines_of(order_list) == [("85123A", 5), ("BOX-6", 6)]
    dealer_client.post(detail(order_list), {"action": "update", "sku": ["85123A", "BOX-6"], "quantity": ["7", "18"]})
    assert lines_of(order_list) == [("85123A", 7), ("BOX-6", 18)]
    dealer_client.post(detail(order_list), {"action": "update", "sku": ["85123A", "BOX-6"], "quantity": ["7", "0"]})
    assert lines_of(order_list) == [("85123A", 7)]
    dealer_client.post(detail(order_list), {"action": "update", "remove": "85123A", "sku": ["85123A"], "quantity": ["7"]})
    assert lines_of(order_list) == []
    dealer_client.post(detail(order_list), {"action": "rename", "name": "Site B"})
    order_list.refresh_from_db()
    assert order_list.name == "Site B"
    assert dealer_client.post(detail(order_list), {"action": "delete"}).status_code == 400  # not confirmed
    page = dealer_client.post(detail(order_list), {"action": "delete", "confirm": "yes"})
    assert page.url == LISTS and not OrderList.objects.exists()


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"action": "rename", "name": "weekly"}, "Your company already has a list called “weekly”; choose another name."),
        ({"action": "rename", "name": " "}, "Give the list a name."),
        ({"action": "rename", "name": "x" * 121}, "A list name can be at most 120 characters."),
        ({"action": "add", "sku": "NOPE", "quantity": "1"}, "No product with SKU “NOPE” is for sale."),
        ({"action": "add", "sku": "85123A", "quantity": "two"}, "Quantity must be a whole number, such as 12."),
        ({"action": "update", "sku": ["85123A"], "quantity": ["-1"]}, "85123A: Quantity cannot be negative; enter 0 to remove the line."),
        ({"action": "explode"}, "Choose what to do with the list."),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(dealer_client, company, weekly, post, message):
    other = OrderList.objects.create(company=company, name="Other")
    page = dealer_client.post(detail(other), post) if post.get("action") == "rename" else dealer_client.post(detail(weekly), post)
    assert page.status_code == 400
    assert message.replace("'", "&#x27;") in page.content.decode()
    assert lines_of(weekly) == [("85123A", 4), ("BOX-6", 12)]
    assert set(OrderList.objects.values_list("name", flat=True)) == {"Weekly", "Other"}


def test_saving_an_empty_cart_or_a_taken_name_is_refused(dealer_client, buyer, weekly):
    page = dealer_client.post(reverse("storefront:cart_save_as_list"), {"name": "New"}, follow=True)
    assert "Your cart is empty; add products before saving it as a list." in page.content.decode()
    dealer_client.post(reverse("storefront:quick_order"), {"lines": "85123A 1"})
    page = dealer_client.post(reverse("storefront:cart_save_as_list"), {"name": "WEEKLY"}, follow=True)
    assert "already has a list called “WEEKLY”" in page.content.decode()
    assert OrderList.objects.count() == 1


def test_add_to_list_from_the_product_page(dealer_client, buyer, variant, weekly):
    product_url = reverse("storefront:product", args=["85123A"])
    html = dealer_client.get(product_url).content.decode()
    assert 'data-testid="add-to-list"' in html and f'<option value="{weekly.pk}">Weekly</option>' in html
    add = reverse("storefront:order_list_add_item")
    page = dealer_client.post(add, {"order_list": weekly.pk, "sku": "85123A", "quantity": "6", "next": product_url}, follow=True)
    assert "Added 6 × 85123A to the list “Weekly”." in page.content.decode()
    assert lines_of(weekly) == [("85123A", 10), ("BOX-6", 12)]
    dealer_client.post(add, {"order_list": "new", "new_name": "Lanterns", "sku": "85123A", "quantity": "2", "next": product_url})
    assert lines_of(OrderList.objects.get(name="Lanterns")) == [("85123A", 2)]
    # A bad quantity makes no new list either.
    page = dealer_client.post(add, {"order_list": "new", "new_name": "Empty", "sku": "NOPE", "quantity": "2", "next": product_url}, follow=True)
    assert "No product with SKU “NOPE” is for sale." in page.content.decode()
    assert not OrderList.objects.filter(name="Empty").exists()


def test_adding_past_the_largest_quantity_is_refused(dealer_client, weekly):
    page = dealer_client.post(detail(weekly), {"action": "add", "sku": "85123A", "quantity": "99999"})
    assert page.status_code == 400
    assert "The list holds 4 of 85123A already; with 99,999 more it would pass 100,000." in page.content.decode()
    assert lines_of(weekly) == [("85123A", 4), ("BOX-6", 12)]


def test_visitors_see_no_add_to_list_control(client, variant):
    assert 'data-testid="add-to-list"' not in client.get(reverse("storefront:product", args=["85123A"])).content.decode()


def test_another_dealer_cannot_see_change_or_order_the_list(client, other_company, weekly, variant):
    stranger = make_user("buyer@other.example", other_company)
    client.force_login(stranger)
    assert "Weekly" not in client.get(LISTS).content.decode()
    assert client.get(detail(weekly)).status_code == 404
    for post in ({"action": "rename", "name": "Mine"}, {"action": "delete", "confirm": "yes"}, {"action": "add", "sku": "85123A", "quantity": "1"}):
        assert client.post(detail(weekly), post).status_code == 404
    assert client.post(reverse("storefront:order_list_add_to_cart", args=[weekly.pk])).status_code == 404
    page = client.post(reverse("storefront:order_list_add_item"), {"order_list": weekly.pk, "sku": "85123A", "quantity": "1"}, follow=True)
    assert "There is no such order list." in page.content.decode()
    assert not CartLine.objects.exists()
    weekly.refresh_from_db()
    assert weekly.name == "Weekly" and lines_of(weekly) == [("85123A", 4), ("BOX-6", 12)]


def test_anonymous_visitors_are_sent_to_sign_in(client, weekly):
    for url in (LISTS, detail(weekly)):
        assert client.get(url).status_code == 302
    for url in (detail(weekly), reverse("storefront:order_list_add_to_cart", args=[weekly.pk]),
                reverse("storefront:cart_save_as_list"), reverse("storefront:order_list_add_item")):
        page = client.post(url, {"action": "delete", "name": "x"})
        assert page.status_code == 302 and "/login/" in page.url
    assert OrderList.objects.filter(pk=weekly.pk).exists()


def test_add_list_to_cart_costs_the_same_for_5_and_50_lines(dealer_client, buyer, company, make_products):
    products = make_products(50)
    Cart.objects.create(user=buyer, company=company)

    def post(count):
        order_list = OrderList.objects.create(company=company, name=f"List {count}")
        OrderListLine.objects.bulk_create(
            OrderListLine(order_list=order_list, variant=v, quantity=1, position=i) for i, v in enumerate(products[:count])
        )
        CartLine.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            assert dealer_client.post(reverse("storefront:order_list_add_to_cart", args=[order_list.pk])).status_code == 302
        assert len(cart_of(buyer)) == count
        return len(queries.captured_queries)

    assert post(5) == post(50) == 21
