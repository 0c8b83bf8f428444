"""What the headquarters exchange shows on the incident's page: HQ's warning as it was
received (with its attachment), the relay still to do, the reports and what was sent to
whom."""

from django.template.loader import render_to_string

from deadlines.choices import DeadlineState
from incidents.models import Incident
from incidents.services import REPORTED_KIND
from incidents.workflow import is_working_group
from organisation.selectors import in_customer_service

from .forms import ReportPrepareForm
from .models import HqWarning
from .selectors import report_list


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
    return render_to_string(
        "hq/_panel.html",
        {
            "incident": record,
            "warning": warning,
            "relay": relay,
            "reports": list(report_list(incident=record)),
            "prepare_form": ReportPrepareForm(),
        },
        request=request,
    )
