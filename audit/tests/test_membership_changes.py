"""A dealer user's role and order limit decide what they may do and how much they may order
alone: their changes in the back office (the Membership page and the company page's users)
are in the audit log with before and after, worked out by hand."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from audit.tests.admin_forms import page_data
from partners.models import Membership
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db
IP = "203.0.113.7"


@pytest.fixture
def staff(admin_user, client):
    admin_user.email = "channel@vendor.test"
    admin_user.save()
    client.force_login(admin_user)
    return admin_user


def save_page(client, url, **changes):
    data = {**page_data(client.get(url)), **changes}
    response = client.post(url, data, REMOTE_ADDR=IP)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return response


def membership_entries(membership):
    rows = AuditEntry.objects.filter(object_type="partners.membership", object_id=str(membership.pk)).order_by("pk")
    return [(e.action, e.actor_label, e.ip_address, e.changes) for e in rows]


def test_a_limit_500_100_500_and_a_role_on_the_membership_page_are_each_recorded(client, staff):
    company = CompanyFactory(code="C200", name="Beta Lamps")
    user = UserFactory(email="buyer@beta.example", company=company)
    membership = Membership.objects.get(user=user)
    Membership.objects.filter(pk=membership.pk).update(order_limit=D("500.00"))
    url = reverse("admin:partners_membership_change", args=[membership.pk])
    save_page(client, url, order_limit="100.00")
    save_page(client, url, order_limit="500.00")
    save_page(client, url, role="approver")
    save_page(client, url)  # unchanged: nothing
    assert membership_entries(membership) == [
        ("change", "channel@vendor.test", IP, {"order_limit": ["500.00", "100.00"]}),
        ("change", "channel@vendor.test", IP, {"order_limit": ["100.00", "500.00"]}),
        ("change", "channel@vendor.test", IP, {"role": ["buyer", "approver"]}),
    ]


def test_a_role_changed_in_the_company_pages_users_table_is_recorded(client, staff):
    company = CompanyFactory(code="C300", name="Gamma Tools")
    user = UserFactory(email="ann@gamma.example", company=company)
    membership = Membership.objects.get(user=user)
    save_page(client, reverse("admin:partners_company_change", args=[company.pk]), **{"memberships-0-role": "admin"})
    assert membership_entries(membership) == [("change", "channel@vendor.test", IP, {"role": ["buyer", "admin"]})]
