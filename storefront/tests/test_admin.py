"""Back office for orders, returns and carts: read-only, and finance records payments."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from billing.services import invoice_order
from storefront.models import Cart, CartLine, Order, Return, ReturnLine
from tests.factories import (
    CompanyFactory,
    OrderFactory,
    OrderLineFactory,
    UserFactory,
    VariantFactory,
)
from tests.query_counts import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

WATERFALL = [
    {"kind": "list", "label": "List price", "unit_price": "10.00", "change": "0.00"},
    {"kind": "tier", "label": "Gold price list", "unit_price": "9.00", "change": "-1.00"},
    {"kind": "break", "label": "Volume break from 12", "unit_price": "8.50", "change": "-0.50"},
]


def test_every_order_page_renders_for_staff(admin_client):
    buyer = UserFactory()
    order = OrderFactory(user=buyer, ship_to={"name": "HQ", "line1": "1 High St", "city": "Leeds", "country": "UK"})
    OrderLineFactory(order=order, waterfall=WATERFALL, unit_price=Decimal("8.50"), price_source="Gold price list")
    ret = Return.objects.create(number="C536379", company=order.company, order=order, currency="GBP", total=Decimal("8.50"))
    ReturnLine.objects.create(
        return_request=ret, line_number=1, sku="X", product_name="X", quantity=1, unit_price=Decimal("8.50"), line_total=Decimal("8.50")
    )
    cart = Cart.objects.create(user=buyer, company=order.company)
    CartLine.objects.create(cart=cart, variant=VariantFactory(), quantity=3)
    pages = [
        reverse("admin:storefront_order_changelist"),
        reverse("admin:storefront_order_changelist") + f"?q={order.number}&status__exact=confirmed&payment_status__exact=unpaid",
        reverse("admin:storefront_order_changelist") + f"?q={order.company.code}&source__exact=storefront",
        reverse("admin:storefront_order_changelist") + f"?placed_at__year={order.placed_at.year}",
        reverse("admin:storefront_order_change", args=[order.pk]),
        reverse("admin:storefront_return_changelist"),
        reverse("admin:storefront_return_change", args=[ret.pk]),
        reverse("admin:storefront_cart_changelist"),
        reverse("admin:storefront_cart_change", args=[cart.pk]),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url
    detail = admin_client.get(pages[4]).content.decode()
    assert "Volume break from 12" in detail and "-0.50" in detail and "Leeds" in detail


def test_dealer_users_are_sent_to_the_admin_login(client):
    company = CompanyFactory()
    client.force_login(UserFactory(company=company))
    for name in ("order", "return", "cart"):
        response = client.get(reverse(f"admin:storefront_{name}_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_orders_are_read_only(admin_client):
    order = OrderFactory()
    OrderLineFactory(order=order)
    assert admin_client.get(reverse("admin:storefront_order_add")).status_code == 403
    assert admin_client.get(reverse("admin:storefront_order_delete", args=[order.pk])).status_code == 403
    page = admin_client.get(reverse("admin:storefront_order_change", args=[order.pk])).content.decode()
    assert 'name="_save"' not in page and 'name="lines-0-quantity"' not in page
    response = admin_client.post(reverse("admin:storefront_order_change", args=[order.pk]), {"total": "0.00"})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.total == Decimal("10.00")
    changelist = admin_client.get(reverse("admin:storefront_order_changelist")).content.decode()
    assert "delete_selected" not in changelist
    assert admin_client.get(reverse("admin:storefront_return_add")).status_code == 403
    assert admin_client.get(reverse("admin:storefront_cart_add")).status_code == 403


def test_record_payment_received_marks_paid_and_releases_credit(admin_client):
    company = CompanyFactory(credit_account__credit_limit=Decimal("1000.00"), credit_account__outstanding=Decimal("300.00"))
    order = OrderFactory(company=company, total=Decimal("120.00"))
    invoice_order(order, lines=[], announce=False)  # as checkout does: the invoice holds the credit billing releases
    already = OrderFactory(company=company, total=Decimal("50.00"), payment_status=Order.PaymentStatus.PAID)
    cancelled = OrderFactory(company=company, total=Decimal("70.00"), status=Order.Status.CANCELLED)
    response = admin_client.post(
        reverse("admin:storefront_order_changelist"),
        {"action": "record_payment_received", "_selected_action": [order.pk, already.pk, cancelled.pk]},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Payment recorded for 1 order;" in page
    assert "2 selected orders were already paid or cancelled and left as they were." in page
    order.refresh_from_db()
    company.credit_account.refresh_from_db()
    cancelled.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert cancelled.payment_status == Order.PaymentStatus.UNPAID
    assert company.credit_account.outstanding == Decimal("180.00")
    assert company.credit_account.available == Decimal("820.00")


def test_record_payment_needs_the_change_order_permission(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(staff)
    order = OrderFactory()
    page = client.get(reverse("admin:storefront_order_changelist")).content.decode()
    assert "record_payment_received" not in page
    client.post(
        reverse("admin:storefront_order_changelist"), {"action": "record_payment_received", "_selected_action": [order.pk]}
    )
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.UNPAID


@pytest.mark.parametrize(
    "url_name", ["admin:storefront_order_changelist", "admin:storefront_return_changelist", "admin:storefront_cart_changelist"]
)
def test_changelist_queries_do_not_grow_with_rows(admin_client, url_name):
    def add(count):
        for _ in range(count):
            order = OrderFactory()
            Return.objects.create(number=f"C{order.pk}", company=order.company, order=order, currency="GBP", total=Decimal("1"))
            cart = Cart.objects.create(user=UserFactory(password=None), company=order.company)  # no hashing
            CartLine.objects.create(cart=cart, variant=VariantFactory(), quantity=1)

    assert_queries_do_not_grow(admin_client, reverse(url_name), add, first=5, then=25)


def test_order_page_queries_do_not_grow_with_lines(admin_client):
    order = OrderFactory()
    OrderLineFactory.create_batch(3, order=order, waterfall=WATERFALL)
    url = reverse("admin:storefront_order_change", args=[order.pk])
    assert_queries_do_not_grow(
        admin_client, url, lambda n: OrderLineFactory.create_batch(n, order=order, waterfall=WATERFALL), first=0, then=20
    )
