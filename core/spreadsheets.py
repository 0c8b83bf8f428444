"""Cells of CSV and XLSX exports. Text that a spreadsheet would run as a formula is kept as
text: Excel, WPS and LibreOffice treat a cell that begins with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return before one) as a formula, and a formula such as ``=HYPERLINK(…)``
in a violation's reason or a department's name would run on the reader's machine (OWASP: CSV
injection). Every export writes its cells through :func:`cell`."""

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from io import StringIO

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """``value`` as a cell: text that starts like a formula gets a leading apostrophe (shown
    as text, never evaluated); numbers, dates and empty cells stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row(values: Iterable) -> list:
    return [cell(value) for value in values]


def append(sheet, values: Iterable) -> None:
    """Append a row to an openpyxl worksheet."""
    sheet.append(row(values))


def csv_bytes(table: Iterable[Iterable]) -> bytes:
    """The table as UTF-8 CSV with a BOM (so that Excel reads it as UTF-8)."""
    out = StringIO()
    csv.writer(out).writerows(
        row("" if value is None else value for value in values) for values in table
    )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# Streamed exports of lists: the rows come from a server-side cursor a chunk at a time
# (``QuerySet.iterator(chunk_size=…)``), so that a list of any length is written in
# constant memory. CSV goes out as it is written; XLSX (a zip, complete only at its end) is
# written by openpyxl's write-only mode to a temporary file, then sent from it.

EXPORT_FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def plain(value):
    """A value a spreadsheet takes: moments in the deployment's time zone, as text (a cell
    knows no zone); ``None`` empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float | Decimal):
        return value
    return str(value)


def chunks(queryset, size: int) -> Iterator[list]:
    """``queryset``'s rows in lists of ``size``, read through a server-side cursor."""
    batch = []
    for obj in queryset.iterator(chunk_size=size):
        batch.append(obj)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Echo:
    def write(self, value):
        return value


def csv_stream(header: Sequence, rows: Iterable[Iterable]) -> Iterator[str]:
    """UTF-8 CSV with a BOM, a line at a time, every cell through :func:`cell`."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(row(plain(value) for value in header))
    for values in rows:
        yield writer.writerow(row(plain(value) for value in values))


def xlsx_file(header: Sequence, rows: Iterable[Iterable], title: str):
    """An open temporary file holding the XLSX (openpyxl write-only: rows are not kept)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    bold = []
    for value in header:
        heading = WriteOnlyCell(sheet, value=cell(plain(value)))
        heading.font = Font(bold=True)
        bold.append(heading)
    sheet.append(bold)
    for values in rows:
        sheet.append(row(plain(value) for value in values))
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    book.save(out)
    out.seek(0)
    return out


def export_response(
    *, fmt: str, filename: str, header: Sequence, rows: Iterable[Iterable], title: str
) -> StreamingHttpResponse:
    """The table as a streamed download, ``filename`` plus the format's extension."""
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_stream(header, rows), content_type=CONTENT_TYPES["csv"]
        )
    elif fmt == "xlsx":
        response = FileResponse(xlsx_file(header, rows, title), content_type=CONTENT_TYPES["xlsx"])
    else:
        raise ValueError(fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
