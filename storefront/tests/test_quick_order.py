"""The quick-order pad: what a buyer pastes or uploads, each line checked, the good lines in
the cart, the bad ones reported with their line number and what was typed.

Catalog of these tests (Gold dealer, 10% off list; stock in MAIN):
  85123A  min 1, multiple 1, 100 in stock      BOX-6   order multiple 6 (case of 6), 100
  MIN-10  minimum 10, 100                       LOW     3 in stock
  EUR-1   sold in EUR only (the dealer buys in GBP)
"""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from catalog.models import Variant
from mall.errors import DomainError
from storefront.models import Cart, CartLine
from storefront.quick_order_input import MAX_LINES, parse_text
from training.tests.factories import CourseFactory, RequirementFactory

from .conftest import make_variant

pytestmark = pytest.mark.django_db

PAD = reverse("storefront:quick_order")


def cart_of(user) -> dict[str, int]:
    return {line.variant.sku: line.quantity for line in CartLine.objects.filter(cart__user=user).select_related("variant")}


def rows(html: str) -> list[tuple[str, str]]:
    """(line number, status) of each result row, in page order."""
    return re.findall(r'data-testid="quick-order-line" data-line="(\d+)" data-status="([A-Za-z_]+)"', html)


@pytest.fixture
def shop(variant, warehouse, category):
    return {
        "heart": variant,
        "box": make_variant("BOX-6", "Boxed screws", "1.00", warehouse=warehouse, order_multiple=6, pack_size=6),
        "min": make_variant("MIN-10", "Cable ties", "0.50", warehouse=warehouse, min_quantity=10),
        "low": make_variant("LOW", "Last lanterns", "4.00", warehouse=warehouse, on_hand=3),
        "eur": euro_only(warehouse),
    }


def euro_only(warehouse):
    variant = make_variant("EUR-1", "Euro only", "3.00", warehouse=warehouse)
    Variant.objects.filter(pk=variant.pk).update(currency="EUR")
    return variant


def entries(text):
    return [(e.number, e.sku, e.quantity) for e in parse_text(text)]


# --- parsing, worked out by hand ---


def test_excel_paste_with_header_crlf_blank_lines_and_lower_case():
    text = "SKU\tQuantity\r\n85123a\t12\r\n\r\n22423\t6\r\n"
    # Line 1 is the header, line 3 is blank: the numbers are the lines as the buyer sees them.
    assert entries(text) == [(2, "85123a", 12), (4, "22423", 6)]


def test_separators_commas_semicolons_several_spaces():
    text = "85123A,4\n22423 ; 6\n84879     3\n  DOT , 2  \n"
    assert entries(text) == [(1, "85123A", 4), (2, "22423", 6), (3, "84879", 3), (4, "DOT", 2)]


def test_full_width_digits_spaces_and_punctuation_from_a_chinese_keyboard():
    # "１２" full-width digits, U+3000 ideographic space, "，" full-width comma, "、", "；"
    text = "85123A\u3000１２\n２２４２３，６\nＢＯＸ-6、１８\n84879；３"
    assert entries(text) == [(1, "85123A", 12), (2, "22423", 6), (3, "BOX-6", 18), (4, "84879", 3)]


def test_chinese_header_and_a_byte_order_mark():
    assert entries("\ufeff货号，数量\n85123A，5") == [(2, "85123A", 5)]


def test_header_picks_the_columns_when_a_description_sits_between():
    text = "Item code\tDescription\tQty\n85123A\tWhite heart, large\t12\n"
    assert entries(text) == [(2, "85123A", 12)]


def test_a_header_split_at_spaces_is_skipped_and_leading_empty_cells_dropped():
    # Three words for two columns: the header is skipped, lines read as SKU then quantity.
    assert entries("Product code   Qty\n85123A   12") == [(2, "85123A", 12)]
    # An Excel copy starting at an empty column B.
    assert entries("\t85123A\t12") == [(1, "85123A", 12)]


def test_quantities_as_excel_shows_them():
    parsed = parse_text("A1\t1,200\nA2 12.0\nA3 +7\nA4 12.5\nA5 -3\nA6 twelve\nA7")
    assert [(e.sku, e.quantity, e.quantity_text) for e in parsed] == [
        ("A1", 1200, "1,200"),  # Excel's thousands separator in a tab-separated copy
        ("A2", 12, "12.0"),
        ("A3", 7, "+7"),
        ("A4", None, "12.5"),
        ("A5", None, "-3"),
        ("A6", None, "twelve"),
        ("A7", None, ""),
    ]


def test_a_third_value_is_refused_not_guessed():
    # "1,200" with commas as separators could be 1 or 1,200: the line is not read at all.
    (entry,) = parse_text("85123A, 1,200")
    assert entry.quantity is None and entry.problem.code == "UNREADABLE_LINE"
    assert "found 3 values" in entry.problem.message


def test_quotes_around_values():
    assert entries('"85123A","12"') == [(1, "85123A", 12)]


def test_more_than_the_line_limit_is_a_typed_error():
    with pytest.raises(DomainError) as exc:
        parse_text("\n".join(f"SKU{i} 1" for i in range(MAX_LINES + 1)))
    assert exc.value.details[0].code == "TOO_MANY_LINES"
    # Blank lines do not count.
    assert len(parse_text("\n\n".join(f"SKU{i} 1" for i in range(MAX_LINES)))) == MAX_LINES


# --- the page ---


def test_good_lines_go_to_the_cart_and_each_bad_line_is_reported(dealer_client, buyer, shop):
    text = "\n".join([
        "SKU Quantity",  # 1 header
        "85123a 4",  # 2 lower case: found as 85123A
        "BOX-6 7",  # 3 not a multiple of 6
        "NOPE-1 2",  # 4 unknown
        "85123A 2",  # 5 same SKU again: summed with line 2 -> 6
        "MIN-10 5",  # 6 below the minimum of 10
        "LOW 5",  # 7 only 3 in stock
        "EUR-1 1",  # 8 not sold in GBP
        "85123A x",  # 9 not a quantity
    ])
    page = dealer_client.post(PAD, {"lines": text})
    assert page.status_code == 200
    html = page.content.decode()
    assert cart_of(buyer) == {"85123A": 6}
    assert rows(html) == [
        ("2", "added"), ("3", "NOT_A_MULTIPLE"), ("4", "UNKNOWN_SKU"), ("5", "added"),
        ("6", "BELOW_MINIMUM"), ("7", "OUT_OF_STOCK"), ("8", "NOT_ALLOWED"), ("9", "INVALID_QUANTITY"),
    ]
    assert "BOX-6 is sold in multiples of 6; 7 is not one. Try 6 or 12." in html
    assert "No product with SKU “NOPE-1” is for sale; check the code." in html
    assert "MIN-10 has a minimum order of 10; 5 is below it." in html
    assert "Only 3 of LOW in stock; you asked for 5." in html
    assert "EUR-1 is not sold in GBP, your account&#x27;s currency." in html
    assert "“x” is not a quantity; give a whole number of at least 1." in html
    assert "Line 3" in html and "<code>BOX-6 7</code>" in html  # number and what was typed
    # The failed lines wait in the box, ready to be corrected.
    box = re.search(r'<textarea[^>]*name="lines"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert box.splitlines() == ["BOX-6 7", "NOPE-1 2", "MIN-10 5", "LOW 5", "EUR-1 1", "85123A x"]
    assert 'data-testid="cart-count">1<' in html


def test_quantities_merge_with_the_cart_and_rules_apply_to_the_sum(dealer_client, buyer, shop):
    cart = Cart.objects.create(user=buyer, company=buyer.membership.company)
    CartLine.objects.create(cart=cart, variant=shop["box"], quantity=6)
    CartLine.objects.create(cart=cart, variant=shop["min"], quantity=5)
    html = dealer_client.post(PAD, {"lines": "BOX-6 3\nMIN-10 5"}).content.decode()
    # 6 + 3 = 9 is not a multiple of 6; 5 + 5 = 10 reaches the minimum.
    assert rows(html) == [("1", "NOT_A_MULTIPLE"), ("2", "added")]
    assert "9 (counting 6 already in your cart) is not one. Try 6 or 12." in html
    assert cart_of(buyer) == {"BOX-6": 6, "MIN-10": 10}
    dealer_client.post(PAD, {"lines": "BOX-6 6"})
    assert cart_of(buyer) == {"BOX-6": 12, "MIN-10": 10}


def test_stock_counts_what_the_cart_holds_already(dealer_client, buyer, shop):
    dealer_client.post(PAD, {"lines": "LOW 2"})
    html = dealer_client.post(PAD, {"lines": "LOW 2"}).content.decode()
    assert "Only 3 of LOW in stock; you asked for 4 (counting 2 already in your cart)." in html
    assert cart_of(buyer) == {"LOW": 2}


def test_the_cart_line_limit_is_respected(dealer_client, buyer, shop, settings):
    settings.MAX_LINE_QUANTITY = 50
    html = dealer_client.post(PAD, {"lines": "85123A 30\n85123A 30"}).content.decode()
    assert "60 (all lines of this SKU together) of 85123A is more than 50, the most one line can hold." in html
    assert cart_of(buyer) == {}


def test_a_quantity_too_long_to_read_is_too_large_not_unreadable(dealer_client, buyer, shop):
    html = dealer_client.post(PAD, {"lines": "85123A 99999999999999999999999\n85123A 100001\nBOX-6 6"}).content.decode()
    assert rows(html) == [("1", "QUANTITY_TOO_LARGE"), ("2", "QUANTITY_TOO_LARGE"), ("3", "added")]
    assert "99999999999999999999999 of 85123A is more than 100,000, the most one line can hold." in html
    assert "100,001 of 85123A is more than 100,000, the most one line can hold." in html
    assert "is not a quantity" not in html
    assert cart_of(buyer) == {"BOX-6": 6}


def test_a_certification_the_dealer_lacks_is_not_allowed(dealer_client, buyer, shop):
    RequirementFactory(course=CourseFactory(title="Lantern safety"), product=shop["low"].product)
    html = dealer_client.post(PAD, {"lines": "LOW 1\n85123A 1"}).content.decode()
    assert rows(html) == [("1", "NOT_ALLOWED"), ("2", "added")]
    assert "Ordering LOW needs the academy course “Lantern safety”" in html


def test_nothing_good_is_a_400_and_nothing_changes(dealer_client, buyer, shop):
    page = dealer_client.post(PAD, {"lines": "NOPE 1"})
    assert page.status_code == 400 and cart_of(buyer) == {}


def test_empty_and_too_many_lines_are_clear_errors(dealer_client, buyer, shop):
    page = dealer_client.post(PAD, {"lines": " \n\n"})
    assert page.status_code == 400 and "Paste or type at least one line" in page.content.decode()
    page = dealer_client.post(PAD, {"lines": "\n".join("85123A 1" for _ in range(MAX_LINES + 1))})
    assert page.status_code == 400 and "Give at most 500 lines at once" in page.content.decode()
    assert cart_of(buyer) == {}


def test_the_pad_has_the_fields_the_browser_tests_use(dealer_client, shop):
    html = dealer_client.get(PAD).content.decode()
    assert 'name="lines"' in html and 'name="file"' in html and 'enctype="multipart/form-data"' in html
    assert re.search(r'<button type="submit"[^>]*>Add to cart</button>', html)
    assert 'for="quick-order-lines"' in html and 'for="quick-order-file"' in html


def test_anonymous_visitors_are_sent_to_sign_in(client, shop):
    assert client.get(PAD).status_code == 302
    page = client.post(PAD, {"lines": "85123A 1"})
    assert page.status_code == 302 and "/login/" in page.url
    assert not CartLine.objects.exists()


# --- files ---


def xlsx(rows_, name="order.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    for row in rows_:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile(name, data.getvalue(), content_type="application/octet-stream")


def test_xlsx_upload_with_number_cells(dealer_client, buyer, shop, warehouse):
    make_variant("22423", "Regency cakestand", "12.75", warehouse=warehouse)
    upload = xlsx([["SKU", "Quantity"], ["85123A", 12], [22423, 2.0], [None, None], ["BOX-6", 5]])
    html = dealer_client.post(PAD, {"file": upload}).content.decode()
    # Rows 2 and 3 (the SKU 22423 was a number cell, 2.0 a float); row 4 blank; row 5 bad.
    assert rows(html) == [("2", "added"), ("3", "added"), ("5", "NOT_A_MULTIPLE")]
    assert cart_of(buyer) == {"85123A": 12, "22423": 2}


def test_csv_upload_saved_by_chinese_excel(dealer_client, buyer, shop):
    data = "货号,数量\r\n85123A,3\r\nbox-6,12\r\n".encode("gb18030")
    upload = SimpleUploadedFile("订单.csv", data, content_type="text/csv")
    html = dealer_client.post(PAD, {"file": upload}).content.decode()
    assert rows(html) == [("2", "added"), ("3", "added")]
    assert cart_of(buyer) == {"85123A": 3, "BOX-6": 12}


def test_csv_with_semicolons_and_quoted_descriptions(dealer_client, buyer, shop):
    data = b'SKU;Description;Quantity\n85123A;"Heart; white";5\n'
    html = dealer_client.post(PAD, {"file": SimpleUploadedFile("o.csv", data)}).content.decode()
    assert rows(html) == [("2", "added")] and cart_of(buyer) == {"85123A": 5}


def test_csv_with_excels_sep_line_and_a_sheet_starting_in_column_b(dealer_client, buyer, shop):
    data = b"sep=;\r\n85123A;2\r\n"
    html = dealer_client.post(PAD, {"file": SimpleUploadedFile("o.csv", data)}).content.decode()
    assert rows(html) == [("2", "added")]
    book = Workbook()
    book.active["B3"], book.active["C3"] = "85123A", 3
    data = io.BytesIO()
    book.save(data)
    html = dealer_client.post(PAD, {"file": SimpleUploadedFile("o.xlsx", data.getvalue())}).content.decode()
    assert rows(html) == [("3", "added")]
    assert cart_of(buyer) == {"85123A": 5}


@pytest.mark.parametrize(
    ("name", "data", "code_text"),
    [
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "Upload a CSV file or an Excel workbook (.xlsx); this file is of another type (image/png)."),
        ("old.xls", bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600, "An old .xls file can be saved as .xlsx from Excel."),
        ("order.xlsx", b"PK\x03\x04" + b"garbage" * 20, "The Excel file cannot be read; it may be damaged."),
        ("empty.csv", b"", "The file is empty."),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(dealer_client, buyer, shop, name, data, code_text):
    page = dealer_client.post(PAD, {"file": SimpleUploadedFile(name, data)})
    assert page.status_code == 400
    assert code_text in page.content.decode()
    assert cart_of(buyer) == {}


def test_an_xlsx_that_unpacks_to_too_much_is_refused(dealer_client, buyer, shop, monkeypatch):
    monkeypatch.setattr("storefront.quick_order_input.MAX_UNPACKED_BYTES", 1000)
    page = dealer_client.post(PAD, {"file": xlsx([["SKU", "Quantity"], ["85123A", 1]])})
    assert page.status_code == 400 and "The Excel file unpacks to more than" in page.content.decode()
    assert cart_of(buyer) == {}


def test_an_oversize_file_is_refused(dealer_client, buyer, shop, settings):
    settings.QUICK_ORDER_MAX_BYTES = 100
    page = dealer_client.post(PAD, {"file": SimpleUploadedFile("big.csv", b"85123A,1\n" * 20)})
    assert page.status_code == 400 and "The file is 180 bytes; the limit is 100 bytes." in page.content.decode()


def test_templates_download_and_the_xlsx_template_reads_back(dealer_client, buyer, shop):
    csv_file = dealer_client.get(reverse("storefront:quick_order_template", args=["csv"]))
    assert csv_file["Content-Type"].startswith("text/csv")
    assert csv_file.content.decode("utf-8") == "\ufeffSKU,Quantity\r\n"
    sheet = dealer_client.get(reverse("storefront:quick_order_template", args=["xlsx"]))
    assert 'filename="quick-order-template.xlsx"' in sheet["Content-Disposition"]
    book = load_workbook(io.BytesIO(sheet.content))
    assert [c.value for c in book.active[1]] == ["SKU", "Quantity"]
    book.active.append(["85123A", 7])
    filled = io.BytesIO()
    book.save(filled)
    html = dealer_client.post(PAD, {"file": SimpleUploadedFile("t.xlsx", filled.getvalue())}).content.decode()
    assert rows(html) == [("2", "added")] and cart_of(buyer) == {"85123A": 7}
    assert dealer_client.get("/quick-order/template.pdf").status_code == 404


# --- cost ---


def test_query_count_does_not_grow_with_the_lines(dealer_client, buyer, make_products):
    products = make_products(50)

    def post(count):
        text = "\n".join(f"{v.sku} 1" for v in products[:count])
        CartLine.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            assert dealer_client.post(PAD, {"lines": text}).status_code == 200
        assert len(cart_of(buyer)) == count
        return len(queries.captured_queries)

    post(1)  # the buyer's cart exists from here on
    few, many = post(5), post(50)
    assert few == many == 18
