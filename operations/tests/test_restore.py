"""scripts/restore_check.sh: a dump made here is restored into a fresh database and checked;
a damaged ledger, a missing file and a wrong row count fail the check, naming what is wrong."""

import os
import subprocess
import tarfile
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from billing.services.credit_notes import issue_credit_note
from billing.services.receipts import record_payment
from mall.uploads import store_upload
from rebates.services.wallet import credit_wallet
from tests.factories import CompanyFactory
from tests.test_uploads import pdf_bytes
from training.models import Course, Lesson, LessonDocument

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "restore_check.sh"


def server_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


@pytest.fixture
def backup(transactional_db, tmp_path, settings):
    """A small installation, its pg_dump (custom format) and the tar of its uploaded files."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    acme, bolt = CompanyFactory(code="ACME"), CompanyFactory(code="BOLT")
    record_payment(company=acme, amount=Decimal("100.00"), currency="GBP", method="bank_transfer", reference="BT-1", idempotency_key="p1")
    issue_credit_note(company=bolt, amount=Decimal("25.50"), currency="GBP", reason="Damaged in transit", source_reference="RMA-1", idempotency_key="c1")
    credit_wallet(company=acme, amount=Decimal("40.00"), currency="GBP", reason="Q3 rebate", reference="R-1", idempotency_key="w1")
    credit_wallet(company=acme, amount=Decimal("2.25"), currency="GBP", reason="Q4 rebate", reference="R-2", idempotency_key="w2")
    lesson = Lesson.objects.create(course=Course.objects.create(title="Safety", slug="safety"), title="Manual", kind=Lesson.Kind.PDF)
    stored = store_upload(SimpleUploadedFile("manual.pdf", pdf_bytes()), category="lessons")
    LessonDocument.objects.create(lesson=lesson, **LessonDocument.fields_from(stored))

    dump = tmp_path / "dealermall.dump"
    subprocess.run(["pg_dump", "--format=custom", "--file", str(dump), f"{server_url()}/{connection.settings_dict['NAME']}"], check=True)
    files = tmp_path / "private.tar.gz"
    with tarfile.open(files, "w:gz") as archive:
        archive.add(settings.PRIVATE_MEDIA_ROOT, arcname=".")
    return {"dump": dump, "files": files, "stored": stored, "tmp": tmp_path}


def restore_check(*args, env_extra=None) -> subprocess.CompletedProcess:
    target = f"dm_ops_restore_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": f"{server_url()}/postgres", "RESTORE_DB": target, **(env_extra or {})}
    env.pop("DEBUG", None)
    done = subprocess.run(["bash", str(SCRIPT), *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    # The restored database is dropped afterwards (KEEP unset).
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [target])
        assert cursor.fetchone()[0] == 0
    return done


def test_a_good_backup_restores_and_reconciles(backup):
    done = restore_check(backup["dump"], backup["files"], "--", "--expect", "companies=2", "--expect", "wallet_entries=2")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "restore_check: ok (checks=12 failed=0)"
    assert any(line.startswith("ok   migrations: ") and line.endswith("applied, none pending") for line in lines)
    assert "ok   payments in the ledger: reconciled" in lines
    assert "ok   credit notes in the ledger: reconciled" in lines
    assert "ok   dealer balances: 2 dealers reconciled" in lines
    assert "ok   rebate wallets: 1 reconciled" in lines
    assert any(line.startswith("ok   uploaded files: 1 present under ") for line in lines)
    assert any(line.startswith("rows: companies=2,") and "payment_receipts=1" in line and "credit_notes=1" in line for line in lines)


def test_a_damaged_wallet_missing_file_and_wrong_count_fail(backup):
    # Damage after the fact: the wallet's counter no longer matches its entries, the file is gone.
    damaged = backup["tmp"] / "damaged.dump"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE rebates_rebatewallet SET balance = balance + 1")
    subprocess.run(["pg_dump", "--format=custom", "--file", str(damaged), f"{server_url()}/{connection.settings_dict['NAME']}"], check=True)
    empty = backup["tmp"] / "no-files.tar.gz"
    with tarfile.open(empty, "w:gz"):
        pass
    done = restore_check(damaged, empty, "--", "--expect", "companies=3")
    assert done.returncode == 1
    out = done.stdout
    assert "FAIL rebate wallets: 1 do not reconcile: wallet #" in out and "(GBP) balance 43.25, entries 42.25, last entry 42.25" in out
    assert "FAIL uploaded files: 1 of 1 missing under" in out and backup["stored"].path in out
    assert "FAIL rows of companies: 2, expected 3" in out
    assert "ok   dealer balances: 2 dealers reconciled" in out
    assert "restore_check: FAILED (checks=11 failed=3)" in done.stderr


def test_a_damaged_dump_stops_the_restore(backup):
    broken = backup["tmp"] / "broken.dump"
    broken.write_bytes(backup["dump"].read_bytes()[:4000])
    done = restore_check(broken)
    assert done.returncode != 0
    assert "pg_restore" in done.stderr
