"""Rebates over the nine real months: import every month of the Online Retail data as history,
run a quarterly retroactive program (≥ 1,000 → 1 %, ≥ 5,000 → 2 %, ≥ 20,000 → 3 %) from
October 2010 to September 2011, close its quarters, and check a few dealers' settlements
against values computed by hand from the CSV files (the few lines of csv reading are in
rebates/tests/test_real_history.py's docstring; per quarter here).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dealermall .venv/bin/python bench/rebates_history.py

Builds a fresh database `<name>_rebates_bench` (dropped and made again). Prints the import
and close times, each check as OK or MISMATCH, and exits non-zero on a mismatch.
"""

import os
import sys
import time
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from bench_database import recreate_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "online-retail"

# (customer, quarter start): (net purchases, settlement) worked out by hand:
# net = goods lines (service codes and gift vouchers left out, quantities of the wrong sign and
# negative prices left out, as the importer does), price x units rounded to the penny, orders
# less "C" returns, by the invoice's quarter; settlement = net x the rate reached, to the penny.
BY_HAND = {
    ("14646", date(2011, 1, 1)): (D("70451.54"), D("2113.55")),  # x 3% = 2113.5462
    ("18102", date(2011, 4, 1)): (D("61322.14"), D("1839.66")),  # x 3% = 1839.6642
    ("14911", date(2011, 4, 1)): (D("23161.59"), D("694.85")),  # x 3% = 694.8477
    ("15311", date(2011, 1, 1)): (D("16477.35"), D("329.55")),  # x 2% = 329.547
    ("12583", date(2011, 1, 1)): (D("1638.57"), D("16.39")),  # x 1% = 16.3857
    ("17850", date(2011, 1, 1)): (D("-102.58"), D("0.00")),  # more returned than bought
    ("14911", date(2010, 10, 1)): (D("6507.13"), D("130.14")),  # x 2% = 130.1426
}


def main() -> None:
    url = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealermall"))
    if not url.scheme.startswith("postgres"):
        sys.exit("bench/rebates_history.py needs PostgreSQL: set DATABASE_URL to a postgres:// URL")
    bench_db = (url.path.lstrip("/") or "dealermall") + "_rebates_bench"
    recreate_database(urlunparse(url._replace(path=f"/{bench_db}")))
    os.environ["DATABASE_URL"] = urlunparse(url._replace(path="/" + bench_db))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command

    from rebates.models import RebateProgram, RebateTarget, Settlement
    from rebates.services import close_rebate_periods
    from storefront.online_retail.importer import import_online_retail

    call_command("migrate", verbosity=0)
    files = sorted(DATA.glob("*.csv.gz"))
    started = time.monotonic()
    imported = import_online_retail(files)
    import_seconds = time.monotonic() - started
    program = RebateProgram.objects.create(name="Quarterly volume rebate", currency="GBP", period_kind="quarter",
                                           starts_on=date(2010, 10, 1), ends_on=date(2011, 9, 30), mode="retroactive")
    RebateTarget.objects.bulk_create([RebateTarget(program=program, threshold=D(t), rate=D(r))
                                      for t, r in ((1000, 1), (5000, 2), (20000, 3))])
    started = time.monotonic()
    closed = close_rebate_periods(date(2011, 10, 1), program)
    close_seconds = time.monotonic() - started

    print(f"files: {len(files)}; orders imported: {imported.orders_created}, returns: {imported.returns_created}")
    print(f"import: {import_seconds:.1f} s; close of 4 quarters: {close_seconds:.1f} s")
    print("\n".join(closed.lines()))
    failed = 0
    for (code, start), (net, amount) in BY_HAND.items():
        found = Settlement.objects.filter(period__program=program, period__company__code=code, period__starts_on=start).first()
        got = (found.volume, found.amount) if found else None
        ok = got == (net, amount)
        failed += not ok
        print(f"{'OK' if ok else 'MISMATCH'} {code} {start:%Y-%m}: by hand {net} -> {amount}; settled {got}")
    print(f"checks_ok={len(BY_HAND) - failed}/{len(BY_HAND)} import_s={import_seconds:.1f} close_s={close_seconds:.1f}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
