"""The audit list as CSV (streamed) or Excel: the rows the filtered back-office list shows."""

import csv
import datetime
import io
import json

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ["occurred at (UTC)", "actor", "IP address", "user agent", "request id", "action", "object type",
           "object id", "object", "changes", "note"]
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row_of(entry) -> list:
    return [safe_cell(v) for v in [
        entry.occurred_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"), entry.actor_label,
        entry.ip_address or "", entry.user_agent, entry.request_id, entry.action, entry.object_type, entry.object_id,
        entry.object_text, json.dumps(entry.changes, ensure_ascii=False, sort_keys=True), entry.note,
    ]]


class _Echo:
    def write(self, value):
        return value


def csv_response(queryset, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so Excel reads the file as UTF-8
        yield writer.writerow(COLUMNS)
        for entry in queryset.iterator(chunk_size=2000):
            yield writer.writerow(row_of(entry))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(queryset, filename: str) -> HttpResponse:
    """At most AUDIT_EXPORT_MAX_ROWS rows (an Excel sheet holds about a million); the CSV has all."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Audit log")
    sheet.append(COLUMNS)
    limit = settings.AUDIT_EXPORT_MAX_ROWS
    for entry in queryset[:limit].iterator(chunk_size=2000):
        sheet.append(row_of(entry))
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
