"""What planned work shows on an incident's page: the work recorded as its cause, and for
the incident's owning department the action "caused by unannounced planned work"."""

from django.template.loader import render_to_string

from incidents.models import Incident

from .forms import UnannouncedForm
from .models import PlannedWork
from .selectors import planned_work_list
from .workflow import may_record_unannounced


def planned_work_panel(request, record) -> str:
    if not isinstance(record, Incident):
        return ""
    works = planned_work_list(user=request.user).filter(incident=record)
    probe = PlannedWork(incident=record)
    can_record = record.state not in ("closed", "cancelled") and may_record_unannounced(
        probe, request.user
    )
    if not works and not can_record:
        return ""
    return render_to_string(
        "maintenance/_panel.html",
        {
            "incident": record,
            "works": works,
            "form": UnannouncedForm(prefix="unannounced") if can_record else None,
        },
        request=request,
    )
