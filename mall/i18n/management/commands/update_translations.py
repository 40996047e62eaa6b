"""`manage.py update_translations`: refresh locale/<lang>/LC_MESSAGES/django.po from the code."""

from django.core.management.base import BaseCommand, CommandError

from mall.i18n import catalogs


class Command(BaseCommand):
    help = "Extract the marked strings (templates and Python) into each language's .po file."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Change nothing; fail if a .po is out of date or has untranslated strings.")

    def handle(self, *args, check=False, **options):
        template = catalogs.template_catalog(catalogs.extract())
        problems = []
        for language in catalogs.translated_languages():
            catalog = catalogs.updated_catalog(language, template)
            path = catalogs.po_path(language)
            missing = catalogs.untranslated(catalog)
            if check:
                stale = catalogs.differences(language, template)
                if stale:
                    problems.append(f"{path}: out of date ({len(stale)} string(s) added or removed, "
                                    f"e.g. {stale[0]!r}): run manage.py update_translations")
                if missing:
                    problems.append(f"{path}: {len(missing)} untranslated, e.g. {missing[0]!r}")
                continue
            catalogs.write_catalog(catalog, path)
            self.stdout.write(f"{path}: {len(catalog)} strings, {len(missing)} untranslated")
            for msgid in missing:
                self.stdout.write(f"  untranslated: {msgid}")
        if problems:
            raise CommandError("\n".join(problems))
