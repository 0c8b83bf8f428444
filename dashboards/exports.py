"""The dashboards' tables as CSV and XLSX (the same figures as the page and the API)."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core import spreadsheets
from incidents.choices import Level

from .selectors import DepartmentFigures


def department_table(rows: list[DepartmentFigures]) -> list[list]:
    header = [
        _("Department"),
        _("On-time rate %"),
        _("Deadlines due"),
        _("MTTA (minutes)"),
        _("MTTR (hours)"),
        _("Incidents resolved"),
        _("First-ask resolution rate %"),
        _("Satisfaction %"),
        _("Recurrence rate %"),
        _("Complaints archived"),
        _("Incidents closed"),
    ]
    body = [
        [
            r.department.name,
            r.on_time_rate,
            r.due,
            r.mtta_minutes,
            r.mttr_hours,
            r.resolved,
            r.first_ask_rate,
            r.satisfaction,
            r.recurrence_rate,
            r.archived,
            r.closed,
        ]
        for r in rows
    ]
    return [header, *body]


def trend_table(trends: dict) -> list[list]:
    levels = [Level.RED, Level.ORANGE, Level.YELLOW, Level.NONE]
    header = [
        _("Month") if trends["bucket"] == "month" else _("Day"),
        *[_("Incidents opened: %(level)s") % {"level": Level(level).label} for level in levels],
        _("Complaints received"),
        _("Complaints escalated"),
    ]
    body = [
        [
            day,
            *[trends["incidents_opened"][level][n] for level in levels],
            trends["complaints_received"][n],
            trends["complaints_escalated"][n],
        ]
        for n, day in enumerate(trends["days"])
    ]
    return [header, *body]


def as_csv(table: list[list]) -> bytes:
    return spreadsheets.csv_bytes(table)


def as_xlsx(table: list[list], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for row in table:
        spreadsheets.append(sheet, row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
