"""Writing the audit log: `record` is the only way an entry is made.

Call it inside the transaction of the change it describes, so the entry and the change
commit or roll back together. Who acted comes from audit.context (the request's user and
IP, a command's `acting_as`, else "system")."""

from django.db import transaction

from audit import context
from audit.changes import diff, fresh_snapshot, label_of, snapshot
from audit.models import AuditEntry

TEXT_MAX = 300


def record(action: str, obj=None, *, changes: dict | None = None, object_type: str = "", object_id="",
           object_text: str = "", note: str = "", force: bool = False) -> AuditEntry | None:
    """One entry for `action` on `obj` (or on the type/id/text given), with `changes`
    {field: [before, after]}. A "change" with nothing changed writes nothing. Inside an
    admin save that audits rows of this model itself, nothing is written (one save, one
    entry) unless `force`."""
    if obj is not None:
        object_type = object_type or label_of(obj)
        object_id = object_id or obj.pk
        object_text = object_text or str(obj)
    changes = changes or {}
    if action == AuditEntry.Action.CHANGE and not changes:
        return None
    actor = context.current()
    if not force and actor is not None and object_type in actor.admin_models:
        return None
    user, label = context.resolve(actor)
    with transaction.atomic():
        return AuditEntry.objects.create(
            actor=user, actor_label=label[:200],
            ip_address=actor.ip_address if actor else None, user_agent=(actor.user_agent if actor else "")[:300],
            request_id=context.current_request_id()[:128], action=action, object_type=object_type[:100],
            object_id=str(object_id or "")[:64], object_text=object_text[:TEXT_MAX], changes=changes, note=note[:300],
        )


class Tracker:
    """Before/after of one row around a change made by a service:

        tracked = Tracker(CreditAccount, account_id, include=[...])
        ... the update ...
        tracked.record()  # "change" with what differs, read back from the database
    """

    def __init__(self, model, pk, include=None, exclude=(), *, lock: bool = False):
        """`lock`: read the row FOR UPDATE (inside the caller's transaction), so nobody changes
        it between this 'before' and the caller's write."""
        self.model, self.pk, self.include, self.exclude = model, pk, include, exclude
        if lock:
            list(model._default_manager.select_for_update().filter(pk=pk).values_list("pk", flat=True))
        self.before = fresh_snapshot(model, pk, include, exclude)

    def record(self, action: str = AuditEntry.Action.CHANGE, *, note: str = "") -> AuditEntry | None:
        obj = self.model._default_manager.filter(pk=self.pk).first()
        if obj is None:
            return None
        after = snapshot(obj, self.include, self.exclude)
        return record(action, obj, changes=diff(self.before, after), note=note)


def record_many(action: str, rows, *, note: str = "") -> int:
    """One entry per (obj, changes) in `rows`, written in one statement (bulk changes such as
    the ERP's list prices). Rows without changes are skipped. Returns how many were written."""
    actor = context.current()
    user, label = context.resolve(actor)
    common = dict(
        actor=user, actor_label=label[:200], ip_address=actor.ip_address if actor else None,
        user_agent=(actor.user_agent if actor else "")[:300], request_id=context.current_request_id()[:128],
        action=action, note=note[:300],
    )
    entries = [
        AuditEntry(object_type=label_of(obj), object_id=str(obj.pk), object_text=str(obj)[:TEXT_MAX], changes=changes, **common)
        for obj, changes in rows if changes
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)
