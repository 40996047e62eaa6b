"""manage.py setup_staff_roles: the five staff roles as groups with exactly their permissions."""

from django.core.management.base import BaseCommand

from audit.context import acting_as
from security.staff_roles import setup_staff_roles


class Command(BaseCommand):
    help = ("Create or update the staff groups (Merchandisers, Channel managers, Finance, Support, Administrators) "
            "so each has exactly the permissions in security/staff_roles.py. Safe to run again.")

    def handle(self, *args, **options):
        with acting_as(label="system (setup_staff_roles)"):
            report = setup_staff_roles()
        for name, (added, removed) in report.items():
            self.stdout.write(f"{name}: {added} permissions added, {removed} removed")
