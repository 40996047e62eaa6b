"""`AuditedAdmin`: a ModelAdmin mixin that writes one audit entry per row a back-office
save creates, changes or deletes: the object itself (its fields and many-to-manys) and the
rows of its inlines, each with {field: [before, after]} read from the database before and
after the save. Put it first: `class PriceListAdmin(AuditedAdmin, admin.ModelAdmin)`.

While such a save runs, services it calls do not record the same model again (one save,
one entry per row); their own actions outside the admin record themselves.
"""

from contextlib import contextmanager

from audit import context
from audit.changes import bulk_snapshots, diff, fresh_snapshot, label_of, snapshot
from audit.models import AuditEntry
from audit.services import record


class AuditedAdmin:
    audit_include = None  # fields of the object to log (None: all but bookkeeping; []: none, inlines only)
    audit_exclude = ()
    audit_inlines = None  # models of the inlines to log (None: every inline)

    def _audited_inline(self, model) -> bool:
        return self.audit_inlines is None or model in self.audit_inlines

    @contextmanager
    def _auditing(self, request):
        actor = context.current()
        token = None
        if actor is None:  # e.g. a view called without the middleware
            actor = context.from_request(request)
            token = context.set_actor(actor)
        labels = ({label_of(self.model)} if self.audit_include != [] else set()) | {
            label_of(inline.model) for inline in self.inlines if self._audited_inline(inline.model)
        }
        added = labels - actor.admin_models
        actor.admin_models |= added
        try:
            yield
        finally:
            actor.admin_models -= added
            if token is not None:
                context.reset(token)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with self._auditing(request):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        with self._auditing(request):
            return super().delete_view(request, object_id, extra_context)

    def save_form(self, request, form, change):
        if change:
            befores = getattr(request, "_audit_before", {})
            befores[(label_of(self.model), form.instance.pk)] = fresh_snapshot(
                self.model, form.instance.pk, self.audit_include, self.audit_exclude)
            request._audit_before = befores
        return super().save_form(request, form, change)

    def save_related(self, request, form, formsets, change):
        inline_before = []
        for formset in formsets:
            if self._audited_inline(formset.model):
                parent = formset.fk.name if getattr(formset, "fk", None) else None
                exclude = (parent,) if parent else ()
                pks = [f.instance.pk for f in formset.initial_forms]
                inline_before.append((formset, exclude, bulk_snapshots(formset.model, pks, exclude=exclude)))
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(request, "_audit_before", {}).pop((label_of(self.model), obj.pk), {})
        if self.audit_include != []:  # [] : only the inlines are logged
            after = fresh_snapshot(self.model, obj.pk, self.audit_include, self.audit_exclude)
            action = AuditEntry.Action.CHANGE if change else AuditEntry.Action.CREATE
            record(action, obj, changes=diff(before, after), force=True)
        for formset, exclude, befores in inline_before:
            self._record_inline(obj, formset, exclude, befores)

    def _record_inline(self, parent, formset, exclude, befores):
        model = formset.model
        pks = {f.instance.pk for f in formset.forms if f.instance.pk} | set(befores)
        afters = bulk_snapshots(model, pks, exclude=exclude)
        texts = {f.instance.pk: str(f.instance) for f in formset.forms if f.instance.pk}
        note = f"in {parent._meta.verbose_name} {parent} (#{parent.pk})"
        for pk in sorted(pks, key=str):
            old, new = befores.get(pk, {}), afters.get(pk)
            if new is None and pk in befores:
                action, changes = AuditEntry.Action.DELETE, diff(old, {})
            elif new is not None and pk not in befores:
                action, changes = AuditEntry.Action.CREATE, diff({}, new)
            elif new is not None:
                action, changes = AuditEntry.Action.CHANGE, diff(old, new)
            else:
                continue
            record(action, object_type=label_of(model), object_id=pk, object_text=texts.get(pk, f"{model._meta.verbose_name} #{pk}"),
                   changes=changes, note=note, force=True)

    def delete_model(self, request, obj):
        before = fresh_snapshot(self.model, obj.pk, self.audit_include, self.audit_exclude)
        pk, text = obj.pk, str(obj)
        super().delete_model(request, obj)
        record(AuditEntry.Action.DELETE, object_type=label_of(self.model), object_id=pk, object_text=text,
               changes=diff(before, {}), force=True)

    def delete_queryset(self, request, queryset):
        rows = list(queryset)
        befores = bulk_snapshots(self.model, [r.pk for r in rows], self.audit_include, self.audit_exclude)
        super().delete_queryset(request, queryset)
        for row in rows:
            record(AuditEntry.Action.DELETE, object_type=label_of(self.model), object_id=row.pk, object_text=str(row),
                   changes=diff(befores.get(row.pk, {}), {}), force=True)


def snapshot_of(obj, admin) -> dict:
    """The snapshot an AuditedAdmin keeps of `obj` (for admins that record by hand)."""
    return snapshot(obj, admin.audit_include, admin.audit_exclude)
