from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from incidents.choices import Factor, HqLevel, Level, Publicity, State, SubmissionKind
from incidents.models import RootCauseCategory
from incidents.services import person_name
from organisation.models import Department

register = template.Library()


@register.simple_tag
def level_badge(level: str):
    label = Level(level).label if level in Level.values else level
    return format_html('<span class="badge level-{}">{}</span>', level, label)


@register.simple_tag
def state_badge(state: str):
    label = State(state).label if state in State.values else state
    return format_html('<span class="badge state state-{}">{}</span>', state, label)


@register.filter
def level_label(level: str) -> str:
    return Level(level).label if level in Level.values else level


@register.filter
def department_name(code) -> str:
    """A department a timeline names by its code, by its name."""
    department = Department.objects.filter(code=code).first() if code else None
    return str(department.name) if department else (code or "—")


@register.filter
def factor_label(factor: str) -> str:
    return Factor(factor).label if factor in Factor.values else factor


@register.filter
def state_label(state: str) -> str:
    return State(state).label if state in State.values else state


@register.filter
def submission_label(kind: str) -> str:
    return SubmissionKind(kind).label if kind in SubmissionKind.values else kind


@register.filter
def event_label(event) -> str:
    """A timeline line's kind as people read it (an incident's or a complaint's)."""
    if event.kind == "due_time" and event.payload.get("due_at"):
        zh = (get_language() or "zh").startswith("zh")
        payload = event.payload
        due = timezone.localtime(datetime.fromisoformat(payload["due_at"]))
        return _(
            "Due time set: %(name)s is due at %(due)s, now that the working-day calendar of "
            "%(year)s has been confirmed"
        ) % {
            "name": payload.get("name_zh" if zh else "name_en") or event.action,
            "due": due.strftime("%Y-%m-%d %H:%M"),
            "year": payload.get("calendar_year", due.year),
        }
    return event.get_kind_display()


@register.filter
def person(user) -> str:
    return person_name(user) or "—"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def reason_value(value, factor: str):
    """A matrix value as people read it: publicity and HQ level by their names."""
    choices = {"publicity": Publicity, "hq_level": HqLevel}.get(factor)
    if choices is not None and value in choices.values:
        return choices(value).label
    return value


@register.simple_tag
def deadline_badge(deadline):
    """A countdown for a pending deadline (live in the browser), its outcome otherwise."""
    if deadline.state == "pending" and deadline.due_at is None:
        return format_html(
            '<span class="countdown unknown" title="{}">{}</span>',
            deadline.problem,
            _("no due time"),
        )
    if deadline.state == "pending" and deadline.met_at is None:
        now = timezone.now()
        left = deadline.due_at - now
        css = "overdue" if left.total_seconds() < 0 else ""
        return format_html(
            '<span class="countdown {}" data-due="{}" data-start="{}">{}</span>',
            css,
            deadline.due_at.isoformat(),
            deadline.started_at.isoformat(),
            timezone.localtime(deadline.due_at).strftime("%m-%d %H:%M"),
        )
    label = {
        # "met" alone is also the time a deadline was met (its field's name)
        "met": pgettext("deadline outcome", "met"),
        "breached": _("missed") if deadline.met_at is None else _("met late"),
        "cancelled": _("cancelled"),
    }.get(deadline.state, deadline.state)
    return format_html('<span class="deadline-outcome outcome-{}">{}</span>', deadline.state, label)


# Labels of the fields of structured submissions (the single "text" field needs none).
CONTENT_LABELS = {
    "root_cause": gettext_lazy("Root cause"),
    "handling_plan": gettext_lazy("Complaint-handling plan"),
    "category": gettext_lazy("Root-cause category"),
    "restored_at": gettext_lazy("Restored at"),
    "cause_and_result": gettext_lazy("Cause and result"),
    "delay_reason": gettext_lazy("Reason for the delay"),
    "cause": gettext_lazy("Cause"),
    "process": gettext_lazy("Handling process"),
    "result": gettext_lazy("Result"),
    "lessons": gettext_lazy("Lessons learnt"),
    "meeting_date": gettext_lazy("Meeting date"),
    "attendees": gettext_lazy("Attendees"),
    "conclusions": gettext_lazy("Conclusions of the meeting"),
    "effect": gettext_lazy("Effect of the measures"),
    "reported_to": gettext_lazy("Measures reported to"),
    "reported_at": gettext_lazy("Reported at"),
    "hq_recipients": gettext_lazy("Sent to HQ departments"),
}
MOMENTS = {"restored_at", "reported_at"}


@register.filter
def content_label(key: str) -> str:
    return CONTENT_LABELS.get(key, "")


@register.filter
def content_value(value, key: str):
    """A submission's value as people read it: moments in local time, categories by name."""
    if key in MOMENTS and isinstance(value, str):
        try:
            return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    if key == "category":
        category = RootCauseCategory.objects.filter(code=value).first()
        return category.name if category else value
    return value


IMPROVEMENT_ACTIONS = {
    "recurrence": gettext_lazy("recurrence of"),
    "action_item_added": gettext_lazy("measure added"),
    "action_item_complete": gettext_lazy("measure done"),
    "action_item_verify": gettext_lazy("measure verified"),
    "action_item_send_back": gettext_lazy("measure sent back"),
    "action_item_waive": gettext_lazy("measure waived"),
}


@register.filter
def improvement_label(action: str) -> str:
    return IMPROVEMENT_ACTIONS.get(action, action)


@register.filter
def sees(user, incident) -> bool:
    """Whether ``user`` may open ``incident`` (the scoping rule of incidents.selectors): a
    page reached from a visible record names another incident by its number only, and shows
    its title and link only to those who may open it."""
    from incidents.selectors import incident_scope

    return incident is not None and incident_scope(user).filter(pk=incident.pk).exists()


@register.filter
def assignment_text(event) -> str:
    """An assignment line as a sentence: "to Li Lei", "from Li Lei to Han Meimei", "Li Lei
    no longer (the owner changed)"; a measure's assignment names the measure first."""
    payload = event.payload or {}
    names = {"from": payload.get("from_name") or "—", "to": payload.get("to_name") or "—"}
    if event.action == "reassigned":
        text = _("from %(from)s to %(to)s") % names
    elif event.action == "cleared":
        text = _("%(from)s is no longer assigned") % names
    else:
        text = _("to %(to)s") % names
    if payload.get("title") and payload.get("action_item"):
        text = f"{payload['title']}: {text}"
    return text


@register.filter
def timeline_change(event) -> str:
    """What an incident's timeline event changed, by its labels: "Received → Classified"."""
    payload = event.payload or {}
    if event.kind == "transition":
        return f"{state_label(event.from_state)} → {state_label(event.to_state)}"
    if event.kind == "level":
        return f"{level_label(payload.get('from'))} → {level_label(payload.get('to'))}"
    if event.kind == "submission":
        return f"{submission_label(event.action)} v{payload.get('version', '')}"
    if event.kind == "cooperation":
        return department_name(payload.get("department"))
    if event.kind == "owner":
        return f"{department_name(payload.get('from'))} → {department_name(payload.get('to'))}"
    if event.kind == "assignee":
        return assignment_text(event)
    if event.kind == "improvement":
        what = payload.get("title") or payload.get("of") or ""
        return f"{improvement_label(event.action)} {what}"
    return ""
