"""The monthly assessment as XLSX (openpyxl) and PDF (reportlab, with its built-in Chinese
CID font, so the PDF carries a real text layer); the violation list for CSV and XLSX."""

from collections.abc import Iterator
from io import BytesIO

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.platypus import Spacer

from core import pdf, spreadsheets


def _department_rows(summary: dict) -> list[list]:
    return [
        [
            row["department"],
            row["items"],
            row["yuan"],
            row["points"],
            row["bonus_months"],
            row["criticised"],
        ]
        for row in summary["departments"].values()
    ]


def _people_rows(summary: dict) -> list[list]:
    return [
        [
            row["name"],
            row["department"],
            row["yuan"],
            row["points"],
            row["bonus_months"],
            row.get("criticised", 0),  # summaries frozen before people were counted too
        ]
        for row in summary["people"].values()
    ]


def _headers():
    departments = [
        _("Department"),
        _("Items"),
        _("Yuan"),
        _("Points"),
        _("Bonus months"),
        _("Circulated criticism"),
    ]
    people = [
        _("Person"),
        _("Department"),
        _("Yuan"),
        _("Points"),
        _("Bonus months"),
        _("Circulated criticism"),
    ]
    return departments, people


def assessment_xlsx(period: str, summary: dict, items: list[list]) -> bytes:
    book = Workbook()
    departments, people = _headers()
    sheet = book.active
    sheet.title = _("Departments")
    spreadsheets.append(sheet, [_("Monthly assessment %(period)s") % {"period": period}])
    sheet["A1"].font = Font(bold=True, size=14)
    spreadsheets.append(sheet, departments)
    for row in _department_rows(summary):
        spreadsheets.append(sheet, row)
    sheet = book.create_sheet(_("People"))
    spreadsheets.append(sheet, people)
    for row in _people_rows(summary):
        spreadsheets.append(sheet, row)
    sheet = book.create_sheet(_("Items"))
    spreadsheets.append(
        sheet,
        [
            _("Number"),
            _("Rule"),
            _("Department"),
            _("Person"),
            _("Yuan"),
            _("Points"),
            _("Determination"),
        ],
    )
    for row in items:
        spreadsheets.append(sheet, row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def assessment_pdf(period: str, summary: dict, state: str) -> bytes:
    departments, people = _headers()
    story = [
        pdf.text(_("Monthly assessment %(period)s") % {"period": period}, pdf.TITLE),
        pdf.text(
            _("%(items)s items, %(yuan)s yuan in all. State: %(state)s.")
            % {
                "items": summary.get("items", 0),
                "yuan": summary.get("total_yuan", 0),
                "state": state,
            },
            pdf.BODY,
        ),
        Spacer(1, 12),
        pdf.table([departments, *_department_rows(summary)]),
        Spacer(1, 12),
        pdf.table([people, *_people_rows(summary)]),
    ]
    return pdf.build(story, title=period)


def violation_export_header() -> list[str]:
    return [
        _("Number"),
        _("Rule"),
        _("Department"),
        _("Responsible person"),
        _("State"),
        _("Occurred at"),
    ]


def violation_export_rows(violations) -> Iterator[list]:
    """One row per violation of ``violations`` (already scoped and filtered)."""
    for batch in spreadsheets.chunks(violations, settings.EXPORT_CHUNK_SIZE):
        for violation in batch:
            person = violation.person
            profile = getattr(person, "profile", None) if person else None
            yield [
                violation.number,
                violation.rule,
                violation.department or "",
                ((profile.full_name if profile else "") or person.username) if person else "",
                violation.get_state_display(),
                violation.occurred_at,
            ]
