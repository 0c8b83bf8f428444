"""What the headquarters exchange shows on the incident's page: HQ's warning as it was
received (with its attachment), the relay still to do, the reports and what was sent to
whom."""

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string

from core.errors import Conflict
from deadlines.choices import DeadlineState
from incidents.models import Incident
from incidents.services import REPORTED_KIND
from incidents.workflow import is_working_group
from organisation.selectors import in_customer_service

from .choices import ReportKind
from .models import HqWarning
from .selectors import report_list
from .services import report_check


def hq_panel(request, record) -> str:
    if not isinstance(record, Incident):
        return ""
    warning = HqWarning.objects.filter(incident=record).first()
    relay = None
    if warning is not None and (
        in_customer_service(request.user) or is_working_group(record, request.user)
    ):
        relay = record.deadlines.filter(
            kind=REPORTED_KIND, state__in=[DeadlineState.PENDING, DeadlineState.BREACHED],
            met_at__isnull=True,
        ).first()  # fmt: skip
    kinds = []
    for value, label in ReportKind.choices:
        try:
            report_check(record, value, request.user)
        except (PermissionDenied, Conflict):
            continue
        kinds.append((value, label))
    reports = list(report_list(incident=record))
    if warning is None and not reports and not kinds:
        return ""
    return render_to_string(
        "hq/_panel.html",
        {
            "incident": record,
            "warning": warning,
            "relay": relay,
            "reports": reports,
            "kinds": kinds,
        },
        request=request,
    )
