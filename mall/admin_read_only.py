"""Back-office pages that show records without letting anyone add, change or delete them
there: ledgers, logs and rows that only their own services write."""


class ReadOnlyAdmin:
    """Mix into a ModelAdmin or an inline (before it). Staff with the view permission read;
    nobody edits. `obj` is optional because inlines pass it to has_add_permission."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
