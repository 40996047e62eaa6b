"""Reading what a buyer gives the quick-order pad: pasted "SKU quantity" lines, a CSV file or
an Excel (.xlsx) file, turned into numbered entries. Nothing here touches the database.

What is accepted, because that is what dealers paste:
- separators: tabs (Excel copy-paste), commas, semicolons, one or several spaces;
- full-width digits, letters, spaces and punctuation from Chinese keyboards ("１２", "，",
  U+3000), folded to ASCII by Unicode NFKC; the ideographic comma "、" counts as a comma;
- a header row naming the columns (SKU / Quantity, in English or Chinese): columns are then
  found by name, so a sheet with a description column between them still works;
- blank lines, a byte-order mark, quotes around values, "1,200" in a tab-separated line
  (Excel's thousands separator) and "12.0" (a number cell).
Without a header a line must hold exactly a SKU and a quantity: a third value is refused
rather than guessed ("85123A, 1,200" could be 1 or 1,200).
"""

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from mall.errors import DomainError, ErrorDetail
from mall.uploads import _read_limited

MAX_LINES = 500  # entries (non-blank lines) in one submission
MAX_TEXT_LENGTH = 100_000  # characters of pasted text
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_COLUMNS = 30
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # an .xlsx is a ZIP: a small file may unpack to gigabytes
MAX_TYPED_SHOWN = 120  # characters of a line echoed back in a message
# Rows read from a spreadsheet before giving up: a sheet formatted down to row 1,048,576 is
# mostly empty rows, and reading them all would hold the request for seconds.
MAX_ROWS_SCANNED = 20 * MAX_LINES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SKU_HEADERS = {
    "sku", "skus", "skucode", "sku编码", "item", "itemcode", "itemno", "itemnumber", "code", "productcode",
    "article", "articleno", "partno", "partnumber", "stockcode", "货号", "编码", "商品编码", "产品编码",
    "物料编码", "物料号", "型号",
}
QUANTITY_HEADERS = {"quantity", "qty", "quantities", "units", "count", "orderqty", "数量", "订购数量", "订货数量", "采购数量"}

_SPLIT = re.compile(r"\s*[,;]\s*")
_SEPARATED = re.compile(r"[\t,;]")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+")
_WHOLE_DECIMAL = re.compile(r"(\d+)\.0+")


@dataclass(frozen=True)
class Entry:
    """One line (or sheet row) the buyer gave: where it was, what it said, what it asks for."""

    number: int  # line of the paste, row of the file, or 1 + index of an API list
    typed: str  # the line as typed (shortened), to show back
    sku: str  # normalised: NFKC, trimmed; "" when missing
    quantity: int | None  # None when the quantity is not a whole number
    quantity_text: str
    problem: ErrorDetail | None = None  # the line could not be read at all


def normalise(text: str) -> str:
    """Full-width forms to ASCII (NFKC), zero-width characters and BOMs dropped, "、" as ","."""
    return unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).replace("\u3001", ",")


def shown(text: str) -> str:
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch == "\t" else " " for ch in text).strip()
    text = text.replace("\t", "  ")
    return text if len(text) <= MAX_TYPED_SHOWN else text[: MAX_TYPED_SHOWN - 1] + "…"


def parse_quantity(text: str, *, grouped: bool = False) -> int | None:
    """A whole number of ASCII digits ("12", "12.0", "+12"; "1,200" when `grouped`), or None."""
    text = text.strip().strip("\"'").strip()
    if text.startswith("+"):
        text = text[1:]
    if grouped and _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    match = _WHOLE_DECIMAL.fullmatch(text)
    if match:
        text = match.group(1)
    if not text or not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    return int(text)


def _header_key(value: str) -> str:
    return re.sub(r"[\s_\-./#:：()（）]", "", value.lower())


def _columns(fields: list[str]) -> tuple[int, int] | None:
    """(sku column, quantity column) if `fields` is a header row, else None."""
    keys = [_header_key(f) for f in fields]
    sku = next((i for i, k in enumerate(keys) if k in SKU_HEADERS), None)
    qty = next((i for i, k in enumerate(keys) if k in QUANTITY_HEADERS), None)
    if sku is None or qty is None or sku == qty:
        return None
    return sku, qty


def _entries(rows: Iterable[tuple[int, str, list[str], bool]]) -> list[Entry]:
    """Rows of (number, typed text, fields, grouped digits allowed) to entries: blank rows
    skipped, the first non-blank row taken as a header if it names both columns."""
    entries: list[Entry] = []
    columns: tuple[int, int] | None = None
    width = 2
    first = True
    for number, typed, fields, grouped in rows:
        while fields and not fields[-1]:
            fields.pop()
        if not any(fields):
            continue
        if first:
            first = False
            header = _columns(fields)
            if header is not None:
                # Split at spaces, "Product code  Qty" is three words for two columns: such a
                # header is only skipped, and the lines are read as SKU then quantity.
                if typed.strip() and not _SEPARATED.search(normalise(typed)):
                    continue
                columns, width = header, len(fields)
                continue
        if len(entries) >= MAX_LINES:
            raise DomainError.single(
                "lines",
                "TOO_MANY_LINES",
                _("Give at most %(max)d lines at once; split the order into several pastes or files.") % {"max": MAX_LINES},
            )
        entries.append(_entry(number, typed, fields, columns, width, grouped))
    return entries


def _entry(number: int, typed: str, fields: list[str], columns, width: int, grouped: bool) -> Entry:
    sku_at, qty_at = columns or (0, 1)
    text = shown(typed)
    if columns is None:
        # A sheet (or an Excel copy) that starts in column B has an empty first cell.
        while fields and not fields[0]:
            fields = fields[1:]
    if len(fields) > width:
        message = (
            _("Expected a SKU and a quantity, found %(count)d values. Put a header row with SKU and Quantity "
              "above the lines to choose the columns.") % {"count": len(fields)}
            if columns is None
            else _("This line has more values than the header row (%(count)d instead of %(width)d).")
            % {"count": len(fields), "width": width}
        )
        return Entry(number, text, fields[0][:64], None, "", ErrorDetail("lines", "UNREADABLE_LINE", message))
    sku = fields[sku_at].strip().strip("\"'").strip() if sku_at < len(fields) else ""
    quantity_text = fields[qty_at].strip() if qty_at < len(fields) else ""
    return Entry(number, text, sku, parse_quantity(quantity_text, grouped=grouped), quantity_text[:40])


def _split(line: str) -> tuple[list[str], bool]:
    """Fields of one pasted line and whether "1,200" may be read as a grouped number (only
    when tabs separate the fields, as in an Excel copy)."""
    if "\t" in line:
        return [f.strip() for f in line.split("\t")], True
    if "," in line or ";" in line:
        return [f.strip() for f in _SPLIT.split(line.strip())], False
    return line.split(), False


def parse_text(text: str) -> list[Entry]:
    """Entries of a pasted text; line numbers count every line, blank ones too, as the
    buyer sees them in the box."""
    if len(text) > MAX_TEXT_LENGTH:
        raise DomainError.single(
            "lines", "TEXT_TOO_LONG", _("The text is longer than %(max)s characters; upload a file instead.") % {"max": f"{MAX_TEXT_LENGTH:,}"}
        )
    def rows() -> Iterator[tuple[int, str, list[str], bool]]:
        for number, raw in enumerate(text.splitlines(), start=1):
            line = normalise(raw.replace("\x00", ""))
            fields, grouped = _split(line)
            yield number, raw, fields, grouped

    return _entries(rows())


# --- files ---


def _decode(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), else GB18030 (what Excel in Chinese
    saves), else Windows-1252."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")


def _csv_rows(text: str) -> Iterator[tuple[int, str, list[str], bool]]:
    first = text.split("\n", 1)[0].strip()
    skip = 0
    if re.fullmatch(r"sep=[,;\t|]", first):  # Excel's own hint line names the separator
        dialect, skip = csv.excel, 1
        delimiter = first[4]
    else:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect, delimiter=delimiter)
    try:
        for fields in reader:
            if reader.line_num <= skip:
                continue
            fields = [normalise(f).strip() for f in fields[:MAX_COLUMNS + 1]]
            yield reader.line_num, ", ".join(fields), fields, True
    except csv.Error as exc:
        raise DomainError.single("file", "UPLOAD_CORRUPT", _("The CSV file cannot be read (%(problem)s).") % {"problem": exc}) from None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalise(str(value)).strip()


def _check_unpacked_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DomainError.single("file", "UPLOAD_CORRUPT", _("The Excel file cannot be read; it may be damaged.")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise DomainError.single("file", "UPLOAD_TOO_LARGE", _("The Excel file unpacks to more than %(max)s MB; save the order lines alone in a new workbook.") % {"max": MAX_UNPACKED_BYTES // (1024 * 1024)})


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, str, list[str], bool]]:
    _check_unpacked_size(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise DomainError.single("file", "UPLOAD_CORRUPT", _("The Excel file cannot be read; it may be damaged.")) from None
    try:
        sheet = book.active or book.worksheets[0]  # the sheet the dealer sees on opening the file
        for offset, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)):
            if offset >= MAX_ROWS_SCANNED:
                break
            fields = [_cell(v) for v in values]
            yield offset + 1, ", ".join(f for f in fields if f), fields, False
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise DomainError.single("file", "UPLOAD_CORRUPT", _("The Excel file cannot be read; it may be damaged.")) from None
    finally:
        book.close()


def parse_file(upload) -> list[Entry]:
    """Entries of an uploaded CSV or .xlsx file, told apart by content, not by name. Refused:
    larger than MAX_FILE_BYTES, empty, any other type (old .xls included), unreadable."""
    limit = int(getattr(settings, "QUICK_ORDER_MAX_BYTES", MAX_FILE_BYTES))
    data = _read_limited(upload, limit, "file")
    kind = filetype.guess(data[:8192])
    # Some tools write .xlsx files that filetype only knows as ZIP; openpyxl decides then.
    if kind is not None and kind.mime in (XLSX, "application/zip"):
        return _entries(_xlsx_rows(data))
    if kind is not None or b"\x00" in data[:8192]:
        found = f" ({kind.mime})" if kind else ""
        raise DomainError.single(
            "file",
            "UPLOAD_TYPE_NOT_ALLOWED",
            _("Upload a CSV file or an Excel workbook (.xlsx); this file is of another type%(found)s. "
              "An old .xls file can be saved as .xlsx from Excel.") % {"found": found},
        )
    return _entries(_csv_rows(_decode(data)))
