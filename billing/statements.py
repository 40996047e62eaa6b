"""Statements (对账单) as files: PDF (reportlab) and Excel (openpyxl), from one Statement
(billing.selectors.statement), so both always show the same figures."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from billing.selectors import Aging, Statement
from pricing_engine.core.money import currency_exponent

KIND_LABELS = {"invoice": "Invoice", "payment": "Payment", "credit_note": "Credit note", "refund": "Refund"}
COLUMNS = ("Date", "Type", "Document", "Description", "Debit", "Credit", "Balance")


def filename(statement: Statement, extension: str) -> str:
    return f"statement-{statement.company.code}-{statement.start.isoformat()}-{statement.end.isoformat()}.{extension}"


def _fmt(amount, currency: str) -> str:
    return f"{amount:,.{currency_exponent(currency)}f}"


def _rows(statement: Statement) -> list[tuple]:
    return [
        (line.occurred_on, KIND_LABELS[line.kind], line.document, line.description, line.debit or None, line.credit or None, line.balance)
        for line in statement.lines
    ]


def statement_pdf(statement: Statement, aging: Aging | None = None) -> bytes:
    currency = statement.currency
    styles = getSampleStyleSheet()
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
                            title=f"Statement {statement.company.code}", author="DealerMall")
    story = [
        Paragraph("Statement of account", styles["Title"]),
        Paragraph(f"{statement.company.name} ({statement.company.code})", styles["Heading2"]),
        Paragraph(f"Period {statement.start.isoformat()} to {statement.end.isoformat()}, amounts in {currency}", styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    money = lambda value: _fmt(value, currency) if value is not None else ""  # noqa: E731
    data = [list(COLUMNS), ["", "", "", "Opening balance", "", "", money(statement.opening_balance)]]
    for day, kind, document, description, debit, credit, balance in _rows(statement):
        data.append([day.isoformat(), kind, document, Paragraph(description, styles["BodyText"]), money(debit), money(credit), money(balance)])
    data.append(["", "", "", "Totals", money(statement.total_debits), money(statement.total_credits), ""])
    data.append(["", "", "", "Closing balance", "", "", money(statement.closing_balance)])
    table = Table(data, colWidths=[20 * mm, 20 * mm, 32 * mm, 50 * mm, 20 * mm, 20 * mm, 22 * mm], repeatRows=1)
    table.setStyle(
        TableStyle([
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("ALIGN", (4, 0), (-1, -1), "RIGHT"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
            ("LINEABOVE", (0, -2), (-1, -2), 0.5, colors.black),
            ("FONT", (0, -1), (-1, -1), "Helvetica-Bold"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ])
    )
    story.append(table)
    if aging is not None:
        story += [Spacer(1, 6 * mm), Paragraph(f"Open invoices by days past due, as of {aging.as_of.isoformat()}", styles["Heading3"])]
        aging_table = Table([list(aging.buckets) + ["Total"], [money(v) for v in aging.buckets.values()] + [money(aging.total)]])
        aging_table.setStyle(TableStyle([("FONT", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 8),
                                         ("ALIGN", (0, 0), (-1, -1), "RIGHT"), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]))
        story.append(aging_table)
    doc.build(story)
    return buffer.getvalue()


def statement_xlsx(statement: Statement, aging: Aging | None = None) -> bytes:
    """One sheet: the heading, the opening balance, a row per entry, totals and the closing
    balance. Amounts are numbers in the currency's format, so finance can add them up."""
    currency = statement.currency
    digits = currency_exponent(currency)
    number_format = "#,##0" + ("." + "0" * digits if digits else "")
    book = Workbook()
    sheet = book.active
    sheet.title = "Statement"
    bold = Font(bold=True)
    sheet.append([f"Statement of account: {statement.company.name} ({statement.company.code})"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"Period {statement.start.isoformat()} to {statement.end.isoformat()}", None, None, f"Currency {currency}"])
    sheet.append([])
    sheet.append(list(COLUMNS))
    for cell in sheet[4]:
        cell.font = bold
    sheet.append([None, None, None, "Opening balance", None, None, statement.opening_balance])
    for row in _rows(statement):
        sheet.append(list(row))
    sheet.append([None, None, None, "Totals", statement.total_debits, statement.total_credits, None])
    sheet.append([None, None, None, "Closing balance", None, None, statement.closing_balance])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in sheet.iter_rows(min_row=5, min_col=5, max_col=7):
        for cell in row:
            cell.number_format = number_format
    for row in sheet.iter_rows(min_row=6, max_col=1):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for column, width in zip("ABCDEFG", (12, 12, 18, 40, 14, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    if aging is not None:
        ages = book.create_sheet("Aging")
        ages.append([f"Open invoices by days past due, as of {aging.as_of.isoformat()}"])
        ages.append([*aging.buckets, "Total"])
        ages.append([*aging.buckets.values(), aging.total])
        for cell in ages[3]:
            cell.number_format = number_format
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
