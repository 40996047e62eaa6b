"""A rebate program over real history: the bundled month of the Online Retail data
(December 2010) imported, its quarter closed, and the settlements of a few dealers checked
against values worked out by hand from the CSV, without the project's code:

    import csv, gzip; from decimal import Decimal; from collections import defaultdict
    SERVICE = {"POST", "DOT", "C2", "M", "S", "D", "B", "CRUK", "PADS", "AMAZONFEE", "BANK CHARGES"}
    net = defaultdict(Decimal)
    for row in csv.DictReader(gzip.open("sample_data/online-retail-2010-12.csv.gz", "rt")):
        code = row["StockCode"].strip().upper()
        if not row["CustomerID"] or code in SERVICE or code.startswith("GIFT_"):
            continue
        amount = (Decimal(row["UnitPrice"]) * abs(int(row["Quantity"]))).quantize(Decimal("0.01"))
        net[row["CustomerID"][:5]] += -amount if row["InvoiceNo"].startswith("C") else amount

The test imports these five dealers' rows of the month (the whole month takes minutes);
the nine months, every dealer, run in bench/rebates_history.py with their own hand-computed
values.
"""

import csv
import gzip
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from rebates.models import RebateProgram, Settlement
from rebates.services import close_rebate_periods
from rebates.tests.factories import RebateProgramFactory
from storefront.online_retail.importer import import_online_retail

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "online-retail-2010-12.csv.gz"
LADDER = [(1000, 1), (5000, 2), (20000, 3)]

# customer: (orders, returns, net) in GBP, December 2010, from the lines above
BY_HAND = {
    "18102": (D("27834.61"), D("0"), D("27834.61")),
    "14911": (D("7487.94"), D("980.81"), D("6507.13")),
    "13777": (D("6961.78"), D("42.00"), D("6919.78")),
    "15311": (D("2676.66"), D("67.45"), D("2609.21")),
    "12583": (D("801.86"), D("0"), D("801.86")),
}


def settle(mode) -> dict[str, Settlement]:
    program = RebateProgramFactory(name=f"Q4 2010 {mode}", mode=mode, period_kind="quarter",
                                   starts_on=date(2010, 10, 1), ends_on=date(2010, 12, 31), ladder=LADDER)
    close_rebate_periods(date(2011, 1, 1), program)
    return {s.period.company.code: s for s in Settlement.objects.filter(period__program=program).select_related("period__company")}


def rows_of(dealers, target: Path) -> Path:
    """The real rows of these dealers only (importing the whole month takes minutes)."""
    with gzip.open(SAMPLE, "rt", encoding="utf-8", newline="") as source, gzip.open(target, "wt", encoding="utf-8") as out:
        reader, writer = csv.reader(source), csv.writer(out, lineterminator="\n")
        writer.writerow(next(reader))
        writer.writerows(row for row in reader if row[6][:5] in dealers)
    return target


@pytest.mark.django_db
def test_a_quarter_over_the_real_december_retroactive_and_stepped(tmp_path):
    import_online_retail([rows_of(set(BY_HAND), tmp_path / "five-dealers.csv.gz")])
    settled = settle(RebateProgram.Modes.RETROACTIVE)
    assert {code: settled[code].volume for code in BY_HAND} == {code: net for code, (_, _, net) in BY_HAND.items()}
    assert {code: (settled[code].rate, settled[code].amount) for code in BY_HAND} == {
        "18102": (D(3), D("835.04")),  # 27,834.61 x 3% = 835.0383
        "14911": (D(2), D("130.14")),  # 6,507.13 x 2% = 130.1426 (returns of 980.81 taken off)
        "13777": (D(2), D("138.40")),  # 6,919.78 x 2% = 138.3956
        "15311": (D(1), D("26.09")),  # 2,609.21 x 1% = 26.0921
        "12583": (D(0), D("0.00")),  # below the first target
    }
    assert (settled["14911"].returns_counted, settled["13777"].returns_counted) == (3, 1)

    settled = settle(RebateProgram.Modes.STEPPED)
    # 4,000 x 1% + 15,000 x 2% + 7,834.61 x 3% = 40 + 300 + 235.0383
    assert settled["18102"].amount == D("575.04")
    # 4,000 x 1% + 1,507.13 x 2% = 40 + 30.1426
    assert settled["14911"].amount == D("70.14")
    assert settled["15311"].amount == D("16.09")  # 1,609.21 x 1%
