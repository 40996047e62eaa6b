"""`make demo` runs on SQLite: the embedded default must take the same ordering path.

The suite runs on PostgreSQL; this test starts manage.py in subprocesses against a SQLite
file, as the demo does, so SQL that only PostgreSQL accepts cannot slip into the demo.
"""

import csv
import gzip
import io
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "online-retail-2010-12.csv.gz"

ORDER_SCRIPT = """
from partners.models import Membership
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
m = Membership.objects.select_related("company__tier", "user").get(user__email="dealer@demo.test")
add_lines(m.user, m.company, [LineChange("85123A", 12), LineChange("22423", 2)])
result = checkout_complete(user=m.user, company=m.company, idempotency_key="sqlite-demo")
again = checkout_complete(user=m.user, company=m.company, idempotency_key="sqlite-demo")
print("ORDER", result.order.number, result.order.total, again.order.number == result.order.number)
"""


SECOND_BUYER = """
from django.contrib.auth import get_user_model
from partners.models import Company, Membership
user, _ = get_user_model().objects.get_or_create(username="second@demo.test", defaults={"email": "second@demo.test"})
company = Company.objects.exclude(memberships__user__email="dealer@demo.test").order_by("code").first()
Membership.objects.get_or_create(user=user, defaults={"company": company})
"""
RACE_SCRIPT = """
import uuid
from partners.models import Membership
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
m = Membership.objects.select_related("company__tier", "user").get(user__email="{email}")
for n in range(5):
    add_lines(m.user, m.company, [LineChange("85123A", 1)])
    print("PLACED", checkout_complete(user=m.user, company=m.company, idempotency_key=str(uuid.uuid4())).order.number)
"""


INSIGHTS_SCRIPT = """
from insights import selectors
from insights.filters import default_filters
f = default_filters()
rows = selectors.sales_by_period(f) + selectors.discount_by_period(f)
print("AMOUNTS", *[r[k] for r in rows for k in ("net", "sales", "returns", "discount") if k in r])
"""


def _slice(path: Path, rows: int) -> None:
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        lines = [line for _, line in zip(range(rows + 1), csv.reader(handle), strict=False)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(lines)
    path.write_text(out.getvalue())


def test_demo_path_on_sqlite(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "VAR_DIR": str(tmp_path)}
    env.pop("CELERY_BROKER_URL", None)
    data = tmp_path / "slice.csv"
    _slice(data, 6000)

    def manage(*args, stdin=None):
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    assert manage("import_online_retail", str(data)).startswith("rows read: 6000")
    setup = manage("setup_demo")
    assert "Demo dealer: dealer@demo.test" in setup
    assert "Insights refreshed: " in setup and "Insights refreshed: 0 days" not in setup
    # One month of history: every series by its month again, never a traceback.
    assert "methods chosen: naive " in manage("forecast", "--train-until", "2010-12", "--horizon", "3")
    # SQLite sums decimals as floats: the dashboards still show pence.
    amounts = manage("shell", "-c", INSIGHTS_SCRIPT)
    assert "AMOUNTS" in amounts and all(len(a.split(".")[1]) == 2 for a in amounts.split("AMOUNTS")[1].split()), amounts
    manage("setup_demo")  # a second run reuses what is there
    out = manage("shell", "-c", ORDER_SCRIPT)

    # Two buyers checking out at the same moment: SQLite has one writer, the other waits.
    for _ in range(2):
        manage("shell", "-c", SECOND_BUYER)
    buyers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", RACE_SCRIPT.format(email=email)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for email in ("dealer@demo.test", "second@demo.test")
    ]
    outputs = [p.communicate(timeout=120) for p in buyers]
    assert all(p.returncode == 0 for p in buyers), [err[-2000:] for _, err in outputs]
    assert all("PLACED DM" in out for out, _ in outputs), outputs
    order_line = next(line for line in out.splitlines() if line.startswith("ORDER "))
    _, number, total, same = order_line.split()
    assert number.startswith("DM") and same == "True"
    assert float(total) > 0
