"""A dashboard table as a CSV or Excel (openpyxl) download: the same rows the page shows."""

import csv
import io
import re

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from insights.reports import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe_text(value):
    """Spreadsheets run cells starting with = + - @ as formulas: a dealer's name must not."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def csv_response(table: Table, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_safe_text(v) for v in row])
    return response


def sheet_title(title: str) -> str:
    """An Excel sheet name: at most 31 characters and none of : \\ / ? * [ ] (Excel refuses
    them; titles such as "Total demand: forecast against actual" hold a colon)."""
    cleaned = " ".join(re.sub(r"[:\\/?*\[\]]", " ", title).split())[:31].strip().strip("'")
    return cleaned or "Report"


def xlsx_response(table: Table, filename: str) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(table.title)
    sheet.append(list(table.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_safe_text(v) for v in row])
    for index, column in enumerate(table.columns, start=1):
        width = max([len(str(column))] + [len(str(r[index - 1])) for r in table.rows[:200]])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width + 2)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
