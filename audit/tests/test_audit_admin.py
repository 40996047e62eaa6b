"""The audit log in the back office: searchable, filtered, each entry's before → after, and
the filtered list exported as CSV and Excel (safe to open: no formulas run)."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from audit.context import acting_as
from audit.models import AuditEntry
from audit.services import record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("admin:audit_auditentry_changelist")


@pytest.fixture
def log():
    ann = UserFactory(email="ann@vendor.test", is_staff=True)
    with acting_as(ann):
        limit = record("change", object_type="partners.creditaccount", object_id=4, object_text="Credit of C100",
                       changes={"credit_limit": ["1000.00", "2500.00"]})
    promo = record("change", object_type="pricing_engine.promotion", object_id=9, object_text="=HYPERLINK(\"http://x\")",
                   changes={"reward": [{"percent": "10"}, {"percent": "15"}]})
    AuditEntry.objects.create(occurred_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC), actor_label="bob@vendor.test",
                              ip_address="192.0.2.44", action="delete", object_type="pricing_engine.voucher",
                              object_id="3", object_text="WINTER", changes={"amount": ["5.00", None]})
    return {"limit": limit, "promo": promo}


@pytest.fixture
def auditor(client):
    user = UserFactory(email="auditor@vendor.test", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client.force_login(user)
    return user


def listed(response) -> list[str]:
    return [e.object_text for e in response.context["cl"].result_list]


def test_search_by_object_actor_and_address(client, auditor, log):
    assert listed(client.get(LIST, {"q": "C100"})) == ["Credit of C100"]
    assert listed(client.get(LIST, {"q": "ann@vendor"})) == ["Credit of C100"]
    assert listed(client.get(LIST, {"q": "192.0.2.44"})) == ["WINTER"]


def test_filter_by_action_object_type_and_date(client, auditor, log):
    assert listed(client.get(LIST, {"action__exact": "delete"})) == ["WINTER"]
    assert listed(client.get(LIST, {"object_type": "pricing_engine.promotion"})) == ['=HYPERLINK("http://x")']
    january = {"occurred_at__year": "2026", "occurred_at__month": "1"}
    assert listed(client.get(LIST, january)) == ["WINTER"]


def test_an_entry_shows_each_field_before_and_after(client, auditor, log):
    page = client.get(reverse("admin:audit_auditentry_change", args=[log["limit"].pk])).content.decode()
    assert "<th>credit_limit</th><td>1000.00</td><td>→</td><td>2500.00</td>" in page
    assert "ann@vendor.test" in page
    assert 'name="_save"' not in page  # read only


def test_export_csv_is_the_filtered_list_and_defuses_formulas(client, auditor, log):
    response = client.get(reverse("admin:audit_auditentry_export_csv"), {"object_type": "pricing_engine.promotion"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["occurred at (UTC)", "actor", "IP address"]
    assert len(rows) == 2
    assert rows[1][1] == "system" and rows[1][5] == "change" and rows[1][6] == "pricing_engine.promotion"
    assert rows[1][8] == "'=HYPERLINK(\"http://x\")"
    assert rows[1][9] == '{"reward": [{"percent": "10"}, {"percent": "15"}]}'


def test_export_xlsx_has_every_filtered_row(client, auditor, log):
    response = client.get(reverse("admin:audit_auditentry_export_xlsx"), {"q": "vendor.test"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [r[1] for r in values[1:]] == ["ann@vendor.test", "bob@vendor.test"]
    assert values[2][0] == "2026-01-05 09:00:00" and values[2][2] == "192.0.2.44"
    assert values[1][9] == '{"credit_limit": ["1000.00", "2500.00"]}'


def test_export_xlsx_writes_a_formula_like_text_as_text(client, auditor, log):
    response = client.get(reverse("admin:audit_auditentry_export_xlsx"), {"object_type": "pricing_engine.promotion"})
    cell = load_workbook(io.BytesIO(response.content)).active["I2"]
    assert (cell.value, cell.data_type) == ("'=HYPERLINK(\"http://x\")", "s")


def test_the_list_links_to_both_exports_with_its_filters(client, auditor, log):
    page = client.get(LIST, {"action__exact": "delete"}).content.decode()
    assert reverse("admin:audit_auditentry_export_csv") + "?action__exact=delete" in page
    assert reverse("admin:audit_auditentry_export_xlsx") + "?action__exact=delete" in page


def test_nobody_adds_changes_or_deletes_entries_in_the_back_office(admin_client, log):
    entry = log["limit"]
    assert admin_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert admin_client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    admin_client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"object_text": "tampered"})
    assert AuditEntry.objects.get(pk=entry.pk).object_text == "Credit of C100"
    assert AuditEntry.objects.count() == 3


def test_staff_without_the_permission_get_403_for_the_list_the_entry_and_the_export(client, log):
    client.force_login(UserFactory(email="merch@vendor.test", is_staff=True))
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_change", args=[log["limit"].pk])).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_export_csv")).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_export_xlsx")).status_code == 403


def test_a_dealer_cannot_reach_it(client, log):
    client.force_login(UserFactory(email="buyer@dealer.test"))
    response = client.get(reverse("admin:audit_auditentry_export_csv"))
    assert response.status_code == 302 and "/login/" in response.url
