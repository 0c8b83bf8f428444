"""The special bulletin 专题简报 as a PDF: the same content as its printable page; the
incident list as a table for CSV and XLSX."""

from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.platypus import Spacer

from core import pdf
from core.display import joined
from core.spreadsheets import chunks

from .choices import State, SubmissionKind


def _when(value) -> str:
    """A moment (or its ISO text, as submissions keep it) in the deployment's time zone."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if value else None
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _event_text(event) -> str:
    if event.kind == "transition":
        return f"{State(event.from_state).label} → {State(event.to_state).label}"
    if event.kind == "submission":
        return (
            str(SubmissionKind(event.action).label) if event.action in SubmissionKind.values else ""
        )
    if event.kind == "level":
        return f"{event.payload.get('from', '')} → {event.payload.get('to', '')}"
    if event.kind == "attachment":
        return f"{event.get_kind_display()}: {event.payload.get('name', '')}"
    return str(event.get_kind_display())


def bulletin_pdf(data: dict) -> bytes:
    incident = data["incident"]
    bulletin = data["bulletin"].content if data["bulletin"] else {}
    facts = [
        [_("Number"), incident.number],
        [_("Level"), incident.get_level_display()],
        [_("Business line"), incident.get_business_line_display()],
        [_("Owner"), str(incident.owning_department or "—")],
        [_("Cities"), joined(data["cities"]) or "—"],
        [_("Customers affected"), str(incident.customers_affected)],
        [_("Occurred at"), _when(incident.occurred_at)],
        [_("Restored at"), _when(data["resolution"].get("restored_at"))],
    ]
    story = [
        pdf.text(_("Special bulletin"), pdf.TITLE),
        pdf.text(incident.title, pdf.HEADING),
        pdf.table(
            [[pdf.text(k, pdf.SMALL), pdf.text(v, pdf.SMALL)] for k, v in facts],
            colWidths=[100, 380],
        ),
        pdf.text(_("What happened"), pdf.HEADING),
        pdf.text(incident.description),
        pdf.text(_("Timeline"), pdf.HEADING),
        pdf.table(
            [[_("Time"), _("Step")]]
            + [
                [pdf.text(_when(event.at), pdf.SMALL), pdf.text(_event_text(event), pdf.SMALL)]
                for event in data["timeline"]
            ],
            colWidths=[100, 380],
        ),
        pdf.text(_("Cause"), pdf.HEADING),
        pdf.text(data["summary"].get("cause") or data["root_cause"].get("root_cause")),
        pdf.text(_("Rectification measures"), pdf.HEADING),
        pdf.table(
            [[_("Measure"), _("Owner"), _("Due"), _("State")]]
            + [
                [
                    pdf.text(item.title, pdf.SMALL),
                    pdf.text(item.owner_department, pdf.SMALL),
                    pdf.text(_when(item.due_at), pdf.SMALL),
                    pdf.text(item.get_state_display(), pdf.SMALL),
                ]
                for item in data["measures"]
            ],
            colWidths=[220, 110, 80, 70],
        ),
        pdf.text(_("Effect of the measures"), pdf.HEADING),
        pdf.text(bulletin.get("effect")),
        pdf.text(_("Lessons learnt"), pdf.HEADING),
        pdf.text(data["summary"].get("lessons")),
        Spacer(1, 10),
        pdf.text(
            _("Measures reported to %(to)s on %(at)s.")
            % {
                "to": bulletin.get("reported_to") or "—",
                "at": _when(bulletin.get("reported_at")),
            },
            pdf.SMALL,
        ),
    ]
    return pdf.build(story, title=f"{incident.number} {_('Special bulletin')}")


def incident_export_header() -> list[str]:
    return [
        _("Number"),
        _("Title"),
        _("Level"),
        _("State"),
        _("Business line"),
        _("Owning department"),
        _("Cities"),
        _("Customers affected"),
        _("Complaints today"),
        _("Occurred at"),
        _("Reported"),
        _("Resolved at"),
        _("Closed at"),
    ]


def incident_export_rows(incidents) -> Iterator[list]:
    """One row per incident of ``incidents`` (already scoped and filtered), read a chunk at
    a time through a server-side cursor."""
    for batch in chunks(incidents, settings.EXPORT_CHUNK_SIZE):
        for incident in batch:
            yield [
                incident.number,
                incident.title,
                incident.get_level_display(),
                incident.get_state_display(),
                incident.get_business_line_display(),
                incident.owning_department or "",
                joined(incident.cities.all()),
                incident.customers_affected,
                getattr(incident, "complaints_today", ""),
                incident.occurred_at,
                incident.created_at,
                incident.resolved_at,
                incident.closed_at,
            ]
