"""Extract the marked strings and build the translation catalogs with babel, so neither
translators nor deploys need GNU gettext (makemessages/compilemessages call xgettext and msgfmt).

Templates go through Django's own `templatize` (the same code makemessages uses: it turns
{% translate %} and {% blocktranslate %} into gettext calls with %(name)s placeholders, exactly
the msgids the template engine looks up), then babel's Python extractor reads those calls.
"""

import io
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.conf import settings
from django.utils.translation import to_locale
from django.utils.translation.template import templatize

DOMAIN = "django"
PROJECT = "DealerMall"
KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
COMMENT_TAGS = ["Translators:"]
HEADER_COMMENT = (
    "# Translations of the DealerMall dealer pages.\n"
    "# Edit the msgstr lines, then run `manage.py compile_translations` (docs/translations.md).\n"
    "#"
)
# Never scanned: third-party code, generated files, tests (their strings are not shown to users).
SKIP_DIRS = {".venv", "var", "node_modules", "locale", "migrations", "tests", "bench", "sample_data",
             "docs", "test-artifacts", "__pycache__"}


@dataclass(frozen=True)
class Found:
    msgid: str | tuple[str, str]
    context: str | None
    path: str
    line: int
    comments: tuple[str, ...]


def locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


def translated_languages() -> list[str]:
    """Every language but the source one (English: the msgids are the English text)."""
    return [code for code, _name in settings.LANGUAGES if not code.startswith("en")]


def po_path(language: str) -> Path:
    return locale_dir() / to_locale(language) / "LC_MESSAGES" / f"{DOMAIN}.po"


def source_files(root: Path):
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in SKIP_DIRS or part.startswith(".") for part in rel.parts[:-1]):
            continue
        if path.suffix == ".py" or (path.suffix in {".html", ".txt"} and "templates" in rel.parts):
            yield path


def _extract(code: str, rel: str) -> list[Found]:
    found = []
    options = {"encoding": "utf-8"}
    for line, _funcname, messages, comments in extract_python(
        io.BytesIO(code.encode("utf-8")), KEYWORDS, COMMENT_TAGS, options
    ):
        context = None
        if isinstance(messages, (list, tuple)):
            messages = list(messages)
            if _funcname.startswith(("pgettext", "npgettext")):
                context = messages.pop(0)
            msgid = messages[0] if len(messages) == 1 else tuple(messages[:2])
        else:
            msgid = messages
        if not msgid or (isinstance(msgid, tuple) and not msgid[0]):
            continue
        found.append(Found(msgid, context, rel, line, tuple(comments)))
    return found


def extract(root: Path | None = None) -> list[Found]:
    """Every marked string of the project's Python code and templates."""
    root = Path(root or settings.BASE_DIR)
    found: list[Found] = []
    for path in source_files(root):
        text = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(root))
        if path.suffix == ".py":
            if "gettext" not in text:
                continue
            found += _extract(text, rel)
        else:
            if "trans" not in text:
                continue
            code = templatize(text, origin=str(path))
            # Only the gettext calls matter; indentation left from the HTML would trip the
            # Python tokenizer. Line numbers stay as they were.
            found += _extract("\n".join(line.lstrip() for line in code.split("\n")), rel)
    return found


def template_catalog(found: list[Found]) -> Catalog:
    catalog = Catalog(project=PROJECT, domain=DOMAIN, charset="utf-8")
    for item in found:
        catalog.add(item.msgid, None, locations=[(item.path, item.line)], auto_comments=item.comments,
                    context=item.context)
    return catalog


def updated_catalog(language: str, template: Catalog) -> Catalog:
    """The language's catalog with exactly the template's msgids: translations kept, new ones
    empty, removed ones dropped. No fuzzy guesses: a changed English text needs a translator."""
    path = po_path(language)
    if path.exists():
        with path.open("rb") as f:
            catalog = read_po(f, locale=to_locale(language), domain=DOMAIN)
    else:
        catalog = Catalog(locale=to_locale(language), project=PROJECT, domain=DOMAIN, charset="utf-8",
                          copyright_holder="the DealerMall contributors", fuzzy=False,
                          header_comment=HEADER_COMMENT)
    created = catalog.creation_date
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.creation_date = created  # no date-only changes in the diff after each run
    return catalog


def keys(catalog: Catalog) -> set:
    return {(m.id, m.context) for m in catalog if m.id}


def differences(language: str, template: Catalog) -> list:
    """Strings the code marks that the .po lacks, and strings the .po has that the code dropped."""
    path = po_path(language)
    if not path.exists():
        return sorted(keys(template), key=str)
    with path.open("rb") as f:
        current = read_po(f, domain=DOMAIN)
    return sorted(keys(template) ^ keys(current), key=str)


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    # width=0: no line wrapping, so a translator's diff shows whole sentences.
    write_po(buffer, catalog, width=0, ignore_obsolete=True, sort_output=False, sort_by_file=True)
    path.write_bytes(buffer.getvalue())


def untranslated(catalog: Catalog) -> list[str]:
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not all(s and s.strip() for s in strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def compile_catalog(po: Path) -> tuple[Path, Catalog]:
    with po.open("rb") as f:
        catalog = read_po(f, domain=DOMAIN)
    mo = po.with_suffix(".mo")
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    if not mo.exists() or mo.read_bytes() != buffer.getvalue():
        mo.write_bytes(buffer.getvalue())
    return mo, catalog
