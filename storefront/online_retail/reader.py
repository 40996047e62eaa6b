"""Stream the Online Retail CSV files (plain or .gz) as typed rows, grouped into invoices.

Real quirks are reported, never fatal: a row that cannot be read becomes a `Rejection` with
a reason; service codes (postage, fees, adjustments) are recognised and kept apart from goods.
"""

import csv
import gzip
import io
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

COLUMNS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
SOURCE_TZ = ZoneInfo("Europe/London")

# StockCodes that are charges, fees or bookkeeping lines, not goods (upper-cased).
SERVICE_CODES = {
    "POST": "postage",
    "DOT": "dotcom postage",
    "C2": "carriage",
    "M": "manual line",
    "S": "samples",
    "D": "discount",
    "B": "bad debt adjustment",
    "CRUK": "charity commission",
    "PADS": "cushion pad matching",
    "AMAZONFEE": "Amazon fee",
    "BANK CHARGES": "bank charges",
}
GIFT_VOUCHER = re.compile(r"^GIFT_\d+_\d+$", re.IGNORECASE)
MAX_QUANTITY = 1_000_000


@dataclass(frozen=True)
class SourceRow:
    file: str
    line: int
    invoice: str
    sku: str
    description: str
    quantity: int
    invoiced_at: datetime
    unit_price: Decimal
    customer: str | None
    country: str

    @property
    def is_return(self) -> bool:
        return self.invoice.upper().startswith("C")


@dataclass(frozen=True)
class Rejection:
    reason: str
    file: str
    line: int
    excerpt: str


@dataclass
class Invoice:
    number: str
    rows: list[SourceRow] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    interleaved: bool = False  # its rows were not adjacent in the file

    @property
    def customer(self) -> str | None:
        return self.rows[0].customer if self.rows else None

    @property
    def is_return(self) -> bool:
        return self.number.upper().startswith("C")

    @property
    def invoiced_at(self) -> datetime:
        return self.rows[0].invoiced_at

    def goods(self) -> list[SourceRow]:
        return [r for r in self.rows if service_code_kind(r.sku) is None]


def service_code_kind(sku: str) -> str | None:
    """What kind of non-goods line a StockCode is, or None for a product."""
    code = sku.strip().upper()
    if code in SERVICE_CODES:
        return SERVICE_CODES[code]
    if GIFT_VOUCHER.match(code):
        return "gift voucher"
    return None


def normalise_customer(raw: str) -> str | None:
    """'17850.0' -> '17850'; '' -> None. Anything else odd raises ValueError."""
    raw = raw.strip()
    if not raw:
        return None
    number = Decimal(raw)
    if number != number.to_integral_value() or number <= 0:
        raise ValueError(raw)
    return str(int(number))


def _open(path: Path):
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace", newline="")
    return open(path, encoding="utf-8", errors="replace", newline="")


def parse_row(values: list[str], file: str, line: int) -> SourceRow | Rejection:
    def reject(reason: str) -> Rejection:
        return Rejection(reason, file, line, ",".join(values)[:160])

    if len(values) != len(COLUMNS):
        return reject("wrong number of columns")
    invoice, sku, description, quantity, date, price, customer, country = (v.strip() for v in values)
    if not invoice:
        return reject("empty invoice number")
    if not sku:
        return reject("empty SKU")
    try:
        qty = int(quantity)
    except ValueError:
        return reject("bad quantity")
    if qty == 0 or abs(qty) > MAX_QUANTITY:
        return reject("bad quantity")
    try:
        unit_price = Decimal(price)
        if not unit_price.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        return reject("bad unit price")
    try:
        invoiced_at = datetime.strptime(date, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SOURCE_TZ)
    except ValueError:
        return reject("bad date")
    try:
        customer_id = normalise_customer(customer)
    except (ValueError, InvalidOperation):
        return reject("bad customer id")
    # A few StockCodes appear in lower case too ("85049a"); they are the same product.
    return SourceRow(file, line, invoice, sku.upper(), description, qty, invoiced_at, unit_price, customer_id, country)


def read_rows(paths: Iterable[str | Path]) -> Iterator[SourceRow | Rejection]:
    for path in map(Path, paths):
        with _open(path) as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                continue
            if [h.strip().lstrip("\ufeff") for h in header] != COLUMNS:
                yield Rejection("file does not start with the Online Retail header", path.name, 1, ",".join(header)[:160])
                continue
            for number, values in enumerate(reader, start=2):
                if not values:
                    continue
                yield parse_row(values, path.name, number)


MERGE_WINDOW = 32


def read_invoices(paths: Iterable[str | Path], on_row=None, merge_window: int = MERGE_WINDOW) -> Iterator[Invoice]:
    """Group the rows of each invoice number. Rejected rows stay with their invoice.

    Rows of one invoice are nearly always adjacent, but not always (542806 is interrupted by
    another invoice's rows): the last `merge_window` invoices stay open, so a late row joins
    its invoice, and memory stays constant. `Invoice.interleaved` tells it happened.
    """
    window: OrderedDict[str, Invoice] = OrderedDict()

    def place(number: str) -> Invoice:
        invoice = window.get(number)
        if invoice is None:
            invoice = window[number] = Invoice(number)
        elif next(reversed(window)) != number:
            invoice.interleaved = True
            window.move_to_end(number)
        return invoice

    for item in read_rows(paths):
        if on_row:
            on_row()
        if isinstance(item, Rejection):
            number = item.excerpt.split(",", 1)[0].strip() or f"?{item.file}:{item.line}"
            place(number).rejections.append(item)
        else:
            place(item.invoice).rows.append(item)
        while len(window) > merge_window:
            yield window.popitem(last=False)[1]
    while window:
        yield window.popitem(last=False)[1]
