"""The complaint list as a table for CSV and XLSX: the rows the list shows, with the
customer's phone and account masked as the list masks them (full reads logged)."""

from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _

from core.spreadsheets import chunks

from .selectors import mask, personal_data_log, seen_in_full


def complaint_export_header() -> list[str]:
    return [
        _("Number"),
        _("Received"),
        _("State"),
        _("Severity"),
        _("Business line"),
        _("City"),
        _("Department"),
        _("Handler"),
        _("Customer"),
        _("Contact phone"),
        _("Account"),
        _("Summary"),
        _("Incident"),
        _("Archived"),
    ]


def _person(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return (profile.full_name if profile else "") or user.username


def complaint_export_rows(*, user, complaints, where: str) -> Iterator[list]:
    """One row per complaint of ``complaints`` (already scoped to ``user`` and filtered),
    read a chunk at a time; each chunk's full reads are logged as ``where``."""
    for batch in chunks(complaints, settings.EXPORT_CHUNK_SIZE):
        full = seen_in_full(user, batch)
        if full:
            personal_data_log(user=user, complaints=[c for c in batch if c.pk in full], where=where)
        for complaint in batch:
            shown = complaint.pk in full
            yield [
                complaint.number,
                complaint.created_at,
                complaint.get_state_display(),
                complaint.get_severity_display(),
                complaint.get_business_line_display(),
                complaint.city,
                complaint.department or "",
                _person(complaint.handler),
                complaint.customer_name,
                complaint.customer_phone if shown else mask(complaint.customer_phone),
                complaint.customer_account if shown else mask(complaint.customer_account),
                complaint.summary,
                complaint.incident.number if complaint.incident else "",
                complaint.archived_at,
            ]
