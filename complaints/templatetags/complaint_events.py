"""A complaint's timeline as sentences: states, departments and time limits by their names,
never the workflow's codes."""

from django import template
from django.utils.translation import gettext as _

from complaints.choices import ComplaintState, Satisfaction
from deadlines.models import DeadlinePolicy
from incidents.templatetags.incidents import assignment_text
from organisation.models import Department

register = template.Library()


def _state(state: str) -> str:
    return ComplaintState(state).label if state in ComplaintState.values else state


def _department(code) -> str:
    department = Department.objects.filter(code=code).first() if code else None
    return str(department.name) if department else ""


@register.filter
def complaint_event_text(event) -> str:
    """What the event says after its kind: "Received → Dispatched · Network department"."""
    payload = event.payload or {}
    if event.kind == "transition":
        parts = [f"{_state(event.from_state)} → {_state(event.to_state)}"]
        if department := _department(payload.get("department")):
            parts.append(department)
        satisfaction = payload.get("satisfaction")
        if satisfaction in Satisfaction.values:
            parts.append(str(Satisfaction(satisfaction).label))
        if payload.get("cause_and_result"):
            parts.append(payload["cause_and_result"])
        return " · ".join(parts)
    if event.kind == "cooperation":
        return _department(payload.get("department"))
    if event.kind == "assignee":
        return assignment_text(event)
    if event.kind == "linked":
        return payload.get("incident") or ""
    if event.kind == "attachment":
        return payload.get("name") or ""
    if event.kind == "created" and payload.get("planned_work"):
        return _("during planned work %(number)s") % {"number": payload["planned_work"]}
    if event.kind == "deadline":
        policy = DeadlinePolicy.objects.filter(code=event.action).first()
        return policy.name if policy else _("a time limit")
    return ""
