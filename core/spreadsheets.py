"""Cells of CSV and XLSX exports. Text that a spreadsheet would run as a formula is kept as
text: Excel, WPS and LibreOffice treat a cell that begins with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return before one) as a formula, and a formula such as ``=HYPERLINK(…)``
in a violation's reason or a department's name would run on the reader's machine (OWASP: CSV
injection). Every export writes its cells through :func:`cell`."""

import csv
from collections.abc import Iterable
from io import StringIO

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
