"""The importer on real rows of the Online Retail data, with their real quirks and some broken
rows added; values worked out by hand from the rows below."""

import gzip
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Stock, Variant
from partners.models import Company, CreditAccount
from pricing_engine.models import PriceBreak
from storefront.models import Order, Return
from storefront.online_retail.importer import import_online_retail
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
REAL_ROWS = """\
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,17850.0,United Kingdom
536366,22632,HAND WARMER RED POLKA DOT,6,2010-12-01 08:28:00,1.85,17850.0,United Kingdom
536370,22728,ALARM CLOCK BAKELIKE PINK,24,2010-12-01 08:45:00,3.75,12583.0,France
536370,POST,POSTAGE,3,2010-12-01 08:45:00,18.0,12583.0,France
C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom
C536383,71053,WHITE METAL LANTERN,-1,2010-12-01 09:49:00,3.39,17850.0,United Kingdom
536414,22139,,56,2010-12-01 11:52:00,0.0,,United Kingdom
536544,21773,DECORATIVE ROSE BATHROOM BOTTLE,1,2010-12-01 14:32:00,2.51,,United Kingdom
536600,85123a,WHITE HANGING HEART T-LIGHT HOLDER,2,2010-12-02 10:00:00,2.55,12583.0,France
"""
BROKEN_ROWS = """\
536700,22728,ALARM CLOCK BAKELIKE PINK,six,2010-12-03 10:00:00,3.75,12583.0,France
536700,71053,WHITE METAL LANTERN,2,2010-12-03 10:00:00,3.39,12583.0,France
536701,,NO CODE,2,2010-12-03 10:05:00,1.00,17850.0,United Kingdom
536702,71053,WHITE METAL LANTERN,2,03/12/2010 10:10,3.39,17850.0,United Kingdom
536703,71053,WHITE METAL LANTERN,2,2010-12-03 10:15:00
"""


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "slice.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(HEADER + REAL_ROWS + BROKEN_ROWS)
    return path


@pytest.mark.django_db
def test_import_reports_what_it_took_and_what_it_left(sample):
    report = import_online_retail([sample])

    assert report.rows_read == 16
    # Goods SKUs: 85123A (85123a is the same), 71053, 22633, 22632, 22728, 21773; 22139 was only
    # ever priced 0.00, so it is reported, not listed.
    assert report.products_created == 6
    assert sorted(Variant.objects.values_list("sku", flat=True)) == ["21773", "22632", "22633", "22728", "71053", "85123A"]
    assert Variant.objects.get(sku="85123A").list_price == Decimal("2.55")
    # Dealers: 17850 (UK), 12583 (France), 14527 (its only row is a discount line).
    assert report.dealers_created == 3
    assert Company.objects.get(code="12583").region.name == "France"
    # Orders 536365, 536366, 536370 (POST skipped), 536600; 536700 has a malformed row: left out whole.
    assert report.orders_created == 4
    assert not Order.objects.filter(number="536700").exists()
    order = Order.objects.get(number="536365")
    assert order.total == Decimal("35.64")  # 6 × 2.55 + 6 × 3.39
    assert order.status == Order.Status.COMPLETED and order.company.code == "17850"
    assert Order.objects.get(number="536370").lines.count() == 1  # POSTAGE is not goods
    # Returns: C536383 (1 lantern back); C536379 is only a discount line, so no goods to return.
    assert report.returns_created == 1
    assert Return.objects.get(number="C536383").total == Decimal("3.39")
    assert report.rows_without_customer == 2
    # Invoices of known dealers reconcile: 4 orders + 1 return + C536379 (a discount line only).
    assert report.invoices_of_dealers == 6
    assert report.skipped.counts["return without goods (only service lines): not imported"] == 1
    assert report.rejected.counts == {
        "bad quantity": 1,
        "invoice left out: it has a malformed row": 1,
        "empty SKU": 1,
        "bad date": 1,
        "wrong number of columns": 1,
    }
    assert report.skipped.counts["service code: postage"] == 1
    assert report.skipped.counts["service code: discount"] == 1
    # Stock rule: twice the units sold in the files, at least 100.
    assert Stock.objects.get(variant__sku="22728").quantity_on_hand == 100
    assert CreditAccount.objects.get(company__code="17850").credit_limit == Decimal("1000")


@pytest.mark.django_db
def test_a_second_run_adds_nothing(sample):
    import_online_retail([sample])
    counts = (Variant.objects.count(), Company.objects.count(), Order.objects.count(), Return.objects.count())
    report = import_online_retail([sample])
    assert (report.products_created, report.dealers_created, report.orders_created, report.returns_created) == (0, 0, 0, 0)
    assert (report.orders_present, report.returns_present) == (4, 1)
    assert (Variant.objects.count(), Company.objects.count(), Order.objects.count(), Return.objects.count()) == counts


@pytest.mark.django_db
def test_bundled_month_imports_with_tiers_and_volume_breaks(capsys):
    call_command("import_online_retail", "sample_data/online-retail-2010-12.csv.gz")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "rows read: 42481"
    assert "rows rejected: 0" in out
    assert Order.objects.count() > 1300 and Company.objects.count() > 900
    assert set(Company.objects.values_list("tier__code", flat=True)) == {"PLATINUM", "GOLD", "SILVER", "STANDARD"}
    # The history shows lower prices for large quantities: they become volume breaks.
    assert PriceBreak.objects.filter(variant__sku="85123A").exists()


@pytest.mark.django_db
def test_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_online_retail", "nope.csv.gz")


@pytest.mark.django_db
def test_an_invoice_interrupted_by_another_is_joined_up(tmp_path):
    # Real shape of invoice 542806: two rows of 542807 sit between its rows.
    rows = (
        "542806,48194,DOORMAT HEARTS,1,2011-02-01 11:19:00,7.95,12836.0,United Kingdom\n"
        "542807,22692,DOORMAT WELCOME TO OUR HOME,2,2011-02-01 11:19:00,7.95,14911.0,EIRE\n"
        "542806,22788,BROCANTE COAT RACK,2,2011-02-01 11:20:00,9.95,12836.0,United Kingdom\n"
    )
    path = tmp_path / "interleaved.csv"
    path.write_text(HEADER + rows)
    report = import_online_retail([path])
    assert report.orders_created == 2
    assert Order.objects.get(number="542806").total == Decimal("27.85")  # 7.95 + 2 × 9.95
    assert report.skipped.counts["invoice rows not adjacent in the file (joined up)"] == 1


@pytest.mark.django_db
def test_orders_placed_online_do_not_move_the_tiers_on_a_second_import(tmp_path):
    # 40 × 5.00 = 200.00 in the one month of history: Silver (150 or more a month).
    path = tmp_path / "silver.csv"
    path.write_text(HEADER + "536900,22728,ALARM CLOCK BAKELIKE PINK,40,2010-12-05 10:00:00,5.00,99999.0,Germany\n")
    import_online_retail([path])
    dealer = Company.objects.get(code="99999")
    assert dealer.tier.code == "SILVER"
    buyer = dealer.memberships.get().user
    add_lines(buyer, dealer, [LineChange("22728", 2)])
    checkout_complete(user=buyer, company=dealer, idempotency_key="today")  # placed now, in another month
    import_online_retail([path])
    assert Company.objects.get(code="99999").tier.code == "SILVER"  # not 200 / 2 months = Standard
