"""Check a restored backup: `DATABASE_URL=<the restored database> manage.py restore_check`.

scripts/restore_check.sh restores a pg_dump into a fresh database and runs this against it.
Prints one line per check and the row counts of the key tables; exits with an error if any
check fails or a count given with --expect differs. Reads only.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations import restore


class Command(BaseCommand):
    help = "Check a restored database: migrations, row counts, ledgers reconcile, uploaded files present."

    def add_arguments(self, parser):
        parser.add_argument("--media-root", type=Path, help="Where the restored uploaded files are (default: PRIVATE_MEDIA_ROOT).")
        parser.add_argument("--skip-files", action="store_true", help="Do not look for uploaded files.")
        parser.add_argument(
            "--expect", action="append", default=[], metavar="TABLE=COUNT",
            help=f"Fail unless the table has exactly COUNT rows (tables: {', '.join(restore.KEY_TABLES)}). Repeatable.",
        )

    def handle(self, *args, media_root=None, skip_files=False, expect=(), **options):
        expected = {}
        for item in expect:
            name, _, count = item.partition("=")
            if name not in restore.KEY_TABLES or not count.isdigit():
                raise CommandError(f"--expect {item!r}: use TABLE=COUNT with one of {', '.join(restore.KEY_TABLES)}")
            expected[name] = int(count)
        failed = 0
        checks = 0
        for ok, line in restore.run(files=not skip_files, media_root=media_root):
            checks += 1
            failed += not ok
            self.stdout.write(f"{'ok  ' if ok else 'FAIL'} {line}")
        counts = restore.row_counts()
        self.stdout.write("rows: " + ", ".join(f"{name}={count}" for name, count in counts.items()))
        for name, count in expected.items():
            checks += 1
            if counts[name] != count:
                failed += 1
                self.stdout.write(f"FAIL rows of {name}: {counts[name]}, expected {count}")
        if failed:
            raise CommandError(f"restore_check: FAILED (checks={checks} failed={failed})")
        self.stdout.write(f"restore_check: ok (checks={checks} failed=0)")
