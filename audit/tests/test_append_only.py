"""The audit log cannot be changed or emptied: by the model, and on PostgreSQL by a trigger
whatever code sends the statement."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AppendOnlyError, AuditEntry
from audit.services import record

pytestmark = pytest.mark.django_db


def an_entry():
    return record(AuditEntry.Action.CREATE, object_type="pricing_engine.pricelist", object_id=7,
                  object_text="Gold 2026", changes={"name": [None, "Gold 2026"]})


def test_the_model_refuses_to_save_an_existing_entry_or_delete_one():
    entry = an_entry()
    entry.object_text = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_text="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_text == "Gold 2026"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditentry SET object_text = 'tampered'",
    "UPDATE audit_auditentry SET changes = '{}'::jsonb WHERE id = %(id)s",
    "DELETE FROM audit_auditentry WHERE id = %(id)s",
    "DELETE FROM audit_auditentry",
])
def test_postgresql_refuses_update_and_delete_from_a_raw_cursor(statement):
    entry = an_entry()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, {"id": entry.pk})
    row = AuditEntry.objects.get(pk=entry.pk)
    assert (row.object_text, row.changes) == ("Gold 2026", {"name": [None, "Gold 2026"]})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # committed rows; the flush after it shows the suite's sessions may
def test_postgresql_refuses_truncate_unless_the_session_allows_it():
    entry = an_entry()
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL audit.allow_truncate = 'off'")
        cursor.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
