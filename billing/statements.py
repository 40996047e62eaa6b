"""Statements (对账单) as files: PDF (reportlab) and Excel (openpyxl), from one Statement
(billing.selectors.statement), so both always show the same figures."""

from io import BytesIO

from django.utils.translation import gettext, gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from billing.selectors import Aging, Statement
from mall.pdf_fonts import pdf_fonts
from pricing_engine.core.money import currency_exponent

# The files are written in the language of the request that asks for them (the dealer's page).
KIND_LABELS = {"invoice": gettext_lazy("Invoice"), "payment": gettext_lazy("Payment"),
               "credit_note": gettext_lazy("Credit note"), "refund": gettext_lazy("Refund")}
COLUMNS = (gettext_lazy("Date"), gettext_lazy("Type"), gettext_lazy("Document"), gettext_lazy("Description"),
           gettext_lazy("Debit"), gettext_lazy("Credit"), gettext_lazy("Balance"))
AGING_LABELS = {"current": gettext_lazy("Not yet due"), "1-30": gettext_lazy("1–30 days"), "31-60": gettext_lazy("31–60 days"),
                "61-90": gettext_lazy("61–90 days"), "90+": gettext_lazy("Over 90 days")}


def _period(statement: Statement) -> str:
    return gettext("Period %(start)s to %(end)s") % {"start": statement.start.isoformat(), "end": statement.end.isoformat()}


def filename(statement: Statement, extension: str) -> str:
    return f"statement-{statement.company.code}-{statement.start.isoformat()}-{statement.end.isoformat()}.{extension}"


def _fmt(amount, currency: str) -> str:
    return f"{amount:,.{currency_exponent(currency)}f}"


def _rows(statement: Statement) -> list[tuple]:
    return [
        (line.occurred_on, str(KIND_LABELS[line.kind]), line.document, line.description, line.debit or None, line.credit or None, line.balance)
        for line in statement.lines
    ]


def statement_pdf(statement: Statement, aging: Aging | None = None) -> bytes:
    currency = statement.currency
    # Descriptions and names may be Chinese whatever the page's language.
    regular, bold = pdf_fonts(statement.company.name, *(line.description for line in statement.lines))
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        style.fontName = bold if style.name.startswith(("Title", "Heading")) else regular
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
                            title=gettext("Statement %(code)s") % {"code": statement.company.code}, author="DealerMall")
    story = [
        Paragraph(gettext("Statement of account"), styles["Title"]),
        Paragraph(f"{statement.company.name} ({statement.company.code})", styles["Heading2"]),
        Paragraph(gettext("%(period)s, amounts in %(currency)s") % {"period": _period(statement), "currency": currency}, styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    money = lambda value: _fmt(value, currency) if value is not None else ""  # noqa: E731
    data = [[str(c) for c in COLUMNS], ["", "", "", gettext("Opening balance"), "", "", money(statement.opening_balance)]]
    for day, kind, document, description, debit, credit, balance in _rows(statement):
        data.append([day.isoformat(), kind, document, Paragraph(description, styles["BodyText"]), money(debit), money(credit), money(balance)])
    data.append(["", "", "", gettext("Totals"), money(statement.total_debits), money(statement.total_credits), ""])
    data.append(["", "", "", gettext("Closing balance"), "", "", money(statement.closing_balance)])
    table = Table(data, colWidths=[20 * mm, 20 * mm, 32 * mm, 50 * mm, 20 * mm, 20 * mm, 22 * mm], repeatRows=1)
    table.setStyle(
        TableStyle([
            ("FONT", (0, 0), (-1, -1), regular),
            ("FONT", (0, 0), (-1, 0), bold),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("ALIGN", (4, 0), (-1, -1), "RIGHT"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
            ("LINEABOVE", (0, -2), (-1, -2), 0.5, colors.black),
            ("FONT", (0, -1), (-1, -1), bold),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ])
    )
    story.append(table)
    if aging is not None:
        story += [Spacer(1, 6 * mm), Paragraph(_aging_heading(aging), styles["Heading3"])]
        aging_table = Table([_aging_labels(aging) + [gettext("Total")], [money(v) for v in aging.buckets.values()] + [money(aging.total)]])
        aging_table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), regular), ("FONT", (0, 0), (-1, 0), bold), ("FONTSIZE", (0, 0), (-1, -1), 8),
                                         ("ALIGN", (0, 0), (-1, -1), "RIGHT"), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]))
        story.append(aging_table)
    doc.build(story)
    return buffer.getvalue()


def _aging_heading(aging: Aging) -> str:
    return gettext("Open invoices by days past due, as of %(date)s") % {"date": aging.as_of.isoformat()}


def _aging_labels(aging: Aging) -> list[str]:
    return [str(AGING_LABELS.get(label, label)) for label in aging.buckets]


def statement_xlsx(statement: Statement, aging: Aging | None = None) -> bytes:
    """One sheet: the heading, the opening balance, a row per entry, totals and the closing
    balance. Amounts are numbers in the currency's format, so finance can add them up."""
    currency = statement.currency
    digits = currency_exponent(currency)
    number_format = "#,##0" + ("." + "0" * digits if digits else "")
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Statement")
    bold = Font(bold=True)
    sheet.append([gettext("Statement of account: %(name)s (%(code)s)") % {"name": statement.company.name, "code": statement.company.code}])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_period(statement), None, None, gettext("Currency %(currency)s") % {"currency": currency}])
    sheet.append([])
    sheet.append([str(c) for c in COLUMNS])
    for cell in sheet[4]:
        cell.font = bold
    sheet.append([None, None, None, gettext("Opening balance"), None, None, statement.opening_balance])
    for row in _rows(statement):
        sheet.append(list(row))
    sheet.append([None, None, None, gettext("Totals"), statement.total_debits, statement.total_credits, None])
    sheet.append([None, None, None, gettext("Closing balance"), None, None, statement.closing_balance])
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
        ages = book.create_sheet(gettext("Aging"))
        ages.append([_aging_heading(aging)])
        ages.append([*_aging_labels(aging), gettext("Total")])
        ages.append([*aging.buckets.values(), aging.total])
        for cell in ages[3]:
            cell.number_format = number_format
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
