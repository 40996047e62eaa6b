"""Migrations a release runs while the old release still serves must be expand-only
(docs/operations.md, Upgrades). This test reads every migration of the project and fails on
an operation the old code would trip over, unless the migration says how it is handled:

    UPGRADE_NOTE = "contract step of 0012: the old code stopped reading foo in release X"

Flagged: dropping or renaming a table or column, and adding a NOT NULL column without a
database default (db_default=...): Django drops the temporary default right after adding the
column, so the old code's INSERTs, which do not name the column, would fail.
"""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.migrations import operations as ops
from django.db.migrations.loader import MigrationLoader

CONTRACT_OPERATIONS = (ops.RemoveField, ops.DeleteModel, ops.RenameField, ops.RenameModel, ops.AlterModelTable)
UNSAFE_SQL = re.compile(r"\b(DROP\s+(COLUMN|TABLE)|RENAME\s+(COLUMN|TO)|SET\s+NOT\s+NULL)\b", re.I)
# Written before this rule: an upgrade across them stops web and workers for `migrate`
# (docs/operations.md, Upgrades).
BEFORE_THE_RULE = {
    ("catalog", "0005_search_document_columns"),
    ("integrations", "0002_delivery_order_pause_rotation"),
    ("partners", "0002_credit_terms_and_hold_release"),
    ("storefront", "0002_promotions_snapshot"),
    ("storefront", "0003_order_lifecycle_fields"),
    ("storefront", "0005_returns_rma"),
    ("storefront", "0006_order_rebate_credit_used"),
    ("storefront", "0009_order_lists_and_approvals"),
}


def project_apps() -> set[str]:
    root = Path(settings.BASE_DIR).resolve()
    return {
        config.label for config in apps.get_app_configs()
        if root in Path(config.path).resolve().parents and "site-packages" not in Path(config.path).parts
    }


def problems_of(migration) -> list[str]:
    found = []
    created = {op.name_lower for op in migration.operations if isinstance(op, ops.CreateModel)}
    for op in migration.operations:
        if isinstance(op, CONTRACT_OPERATIONS):
            found.append(op.describe())
        elif isinstance(op, ops.AddField) and op.model_name_lower not in created:
            field = op.field
            needs_value = not field.null and not field.many_to_many and field.db_default is models.NOT_PROVIDED
            if needs_value:
                found.append(f"{op.describe()} is NOT NULL without db_default")
        elif isinstance(op, ops.RunSQL):
            text = " ".join(op.sql if isinstance(op.sql, list | tuple) else [str(op.sql)])
            if UNSAFE_SQL.search(str(text)):
                found.append(f"RunSQL: {UNSAFE_SQL.search(str(text)).group(0)}")
    return found


def test_no_migration_breaks_the_release_still_serving():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = project_apps()
    checked = 0
    unsafe = []
    for (app_label, name), migration in sorted(loader.disk_migrations.items()):
        if app_label not in ours:
            continue
        checked += 1
        module = __import__(migration.__module__, fromlist=["UPGRADE_NOTE"])
        if (app_label, name) in BEFORE_THE_RULE or getattr(module, "UPGRADE_NOTE", ""):
            continue
        unsafe += [f"{app_label}.{name}: {problem}" for problem in problems_of(migration)]
    assert checked > 30
    assert unsafe == [], "add db_default=, split into expand and contract, or set UPGRADE_NOTE"


def test_the_rule_sees_an_unsafe_migration():
    class Migration:
        operations = [
            ops.AddField("order", "channel", models.CharField(max_length=10, default="web")),
            ops.AddField("order", "source", models.CharField(max_length=10, db_default="web")),
            ops.AddField("order", "hint", models.CharField(max_length=10, null=True)),
            ops.RemoveField("order", "legacy_code"),
            ops.RunSQL("ALTER TABLE storefront_order ALTER COLUMN note SET NOT NULL"),
        ]

    assert problems_of(Migration) == [
        "Add field channel to order is NOT NULL without db_default",
        "Remove field legacy_code from order",
        "RunSQL: SET NOT NULL",
    ]
