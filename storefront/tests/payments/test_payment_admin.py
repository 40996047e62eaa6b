"""Back office: payments and refunds on the order, the refund form only for staff allowed to."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from storefront.models import Order, Refund
from storefront.services.payments import record_payment
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_transfer():
    order = OrderFactory(number="DM00000777", total=Decimal("10.00"), payment_method=Order.PaymentMethod.BANK_TRANSFER)
    record_payment(order.pk, reference="TRANSFER 777")
    return order, order.payments.get()


def test_the_order_shows_its_payments_and_a_refund_button(admin_client, paid_transfer):
    order, payment = paid_transfer
    page = admin_client.get(reverse("admin:storefront_order_change", args=[order.pk])).content.decode()
    assert "TRANSFER 777" in page and "10.00" in page
    assert reverse("admin:storefront_payment_refund", args=[payment.pk]) in page


def test_staff_refund_within_what_was_captured(admin_client, paid_transfer):
    order, payment = paid_transfer
    url = reverse("admin:storefront_payment_refund", args=[payment.pk])
    form = admin_client.get(url).content.decode()
    assert "10.00 GBP" in form
    too_much = admin_client.post(url, {"amount": "10.01", "reason": "x", "idempotency_key": "k1"})
    assert too_much.status_code == 200 and "At most 10.00 GBP" in too_much.content.decode()
    assert not Refund.objects.exists()
    done = admin_client.post(url, {"amount": "4.00", "reason": "short delivery", "idempotency_key": "k2"})
    assert done.status_code == 302 and done.url == reverse("admin:storefront_order_change", args=[order.pk])
    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.reason) == (Decimal("4.00"), "succeeded", "short delivery")
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PARTIALLY_REFUNDED


def test_staff_without_the_refund_permission_cannot_refund(client, paid_transfer):
    order, payment = paid_transfer
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_order"), Permission.objects.get(codename="view_payment"))
    client.force_login(clerk)
    page = client.get(reverse("admin:storefront_order_change", args=[order.pk])).content.decode()
    url = reverse("admin:storefront_payment_refund", args=[payment.pk])
    assert "TRANSFER 777" in page and url not in page
    assert client.get(url).status_code == 403
    assert client.post(url, {"amount": "1.00", "idempotency_key": "k"}).status_code == 403
    assert not Refund.objects.exists()
