"""`manage.py compile_translations`: write the .mo file next to every .po (babel, no msgfmt)."""

from django.core.management.base import BaseCommand

from mall.i18n import catalogs


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into the .mo files Django reads."
    requires_system_checks = []

    def handle(self, *args, **options):
        for po in sorted(catalogs.locale_dir().glob("*/LC_MESSAGES/*.po")):
            mo, catalog = catalogs.compile_catalog(po)
            missing = len(catalogs.untranslated(catalog))
            note = f" ({missing} untranslated: shown in English)" if missing else ""
            if options["verbosity"]:
                self.stdout.write(f"{mo.relative_to(catalogs.locale_dir().parent)}: {len(catalog)} strings{note}")
