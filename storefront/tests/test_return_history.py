"""The real data's "C" invoices go through the returns path: the importer matches them to
the dealer's earlier orders in bulk; the replay requests, approves and receives them."""

import gzip
from decimal import Decimal as D

import pytest

from billing.models import CreditNote
from catalog.models import Stock
from integrations.models import OutboxEvent
from storefront.models import Order, Return, ReturnLine
from storefront.online_retail.importer import import_online_retail
from storefront.online_retail.replay import replay_orders

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
# 17850 buys 6 + 2 lanterns, then returns 7 (6 of the newest order cannot be: it has 2; the
# older gives 5) and 3 of a SKU it never bought here (bought before the history starts).
ROWS = """\
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536366,71053,WHITE METAL LANTERN,2,2010-12-01 09:28:00,3.39,17850.0,United Kingdom
536370,22728,ALARM CLOCK BAKELIKE PINK,24,2010-12-01 08:45:00,3.75,12583.0,France
C536383,71053,WHITE METAL LANTERN,-7,2010-12-01 10:49:00,3.39,17850.0,United Kingdom
C536383,22728,ALARM CLOCK BAKELIKE PINK,-3,2010-12-01 10:49:00,3.75,17850.0,United Kingdom
C536384,POST,POSTAGE,-1,2010-12-01 10:50:00,18.0,17850.0,United Kingdom
"""


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "returns.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(HEADER + ROWS)
    return path


@pytest.mark.django_db
def test_import_matches_returned_units_to_earlier_orders(data):
    report = import_online_retail([data])
    ret = Return.objects.get(number="C536383")
    # 7 x 3.39 + 3 x 3.75 = 23.73 + 11.25
    assert (ret.status, ret.total, ret.received_at) == ("completed", D("34.98"), ret.placed_at)
    lines = [(line.sku, line.quantity, line.line_total, line.order_line.order.number if line.order_line else None)
             for line in ReturnLine.objects.filter(return_request=ret).select_related("order_line__order")]
    assert lines == [
        ("71053", 2, D("6.78"), "536366"),  # the newest order first
        ("71053", 5, D("16.95"), "536365"),
        ("22728", 3, D("11.25"), None),  # 12583's alarm clocks are not 17850's
    ]
    assert ret.order_id is None  # lines of two orders
    assert (report.return_units_matched, report.return_units_unmatched) == (7, 3)
    assert "returned units matched to an earlier order: 7, without one (bought before the history): 3" in report.lines()


@pytest.mark.django_db
def test_replay_places_c_invoices_as_returns(data, tmp_path):
    # First the dealers and catalog from the file, then the replay of the same invoices.
    report = replay_orders([data])
    assert report.orders_placed == 3
    assert (report.returns_counted, report.returns_placed, report.return_units_unmatched) == (2, 2, 3)
    returns = Return.objects.filter(source=Order.Source.REPLAY).order_by("order__placed_at")
    assert [(r.status, sum(line.quantity for line in r.lines.all())) for r in returns] == [("completed", 5), ("completed", 2)]
    assert all(r.credit_note_number for r in returns)
    assert CreditNote.objects.filter(company__code="17850").count() == 2
    assert OutboxEvent.objects.filter(event_type="return.approved").count() == 2
    assert OutboxEvent.objects.filter(event_type="stock.updated", data__reason="returned").count() == 2
    # Stock: the replay restocked what the orders needed, the returns put 7 lanterns back.
    lanterns = Stock.objects.get(variant__sku="71053")
    assert lanterns.quantity_on_hand - lanterns.quantity_allocated >= 7
    again = replay_orders([data])
    assert (again.orders_placed, again.returns_placed, again.returns_already_placed) == (0, 0, 1)
