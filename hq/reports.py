"""What a report says, generated from the incident in the order seed 000 第八条(三) gives
for a warning: the warning level, when the event occurred, its scope, the customers it may
affect, what happened, the complaint volume, the customers' main complaints, the cause of the
fault (left out while unknown) and the handling so far. The written plan and the bulletin add
their own part at the end. A person edits every section before approving."""

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import pdf
from incidents.choices import SubmissionKind
from incidents.models import Incident

from .choices import ReportKind

# (key, label) in the order of seed 000 第八条(三)
SECTIONS = (
    ("level", gettext_lazy("Warning level")),
    ("occurred_at", gettext_lazy("When the event occurred")),
    ("scope", gettext_lazy("Scope")),
    ("customers", gettext_lazy("Customers possibly affected")),
    ("content", gettext_lazy("What happened")),
    ("complaints", gettext_lazy("Complaint volume")),
    ("complaint_issues", gettext_lazy("Customers' main complaints")),
    ("cause", gettext_lazy("Cause of the fault")),
    ("handling", gettext_lazy("Handling so far")),
)
EXTRA: dict[str, tuple[str, object]] = {
    ReportKind.HQ_PLAN: ("plan", gettext_lazy("Implementation plan")),
    ReportKind.BULLETIN: ("measures", gettext_lazy("Rectification measures and their effect")),
}


def section_keys(kind: str) -> list[str]:
    keys = [key for key, _label in SECTIONS]
    if kind in EXTRA:
        keys.append(EXTRA[kind][0])
    return keys


def section_label(key: str) -> str:
    for known, label in (*SECTIONS, *EXTRA.values()):
        if known == key:
            return str(label)
    return key


def _latest(incident: Incident, kind: str) -> dict:
    submission = incident.submissions.filter(kind=kind).order_by("-version").first()
    return submission.content if submission else {}


def _text(content: dict) -> str:
    return "\n".join(str(value) for value in content.values() if value and str(value).strip())


def report_sections(incident: Incident, kind: str) -> list[dict]:
    """The report's sections drawn from what the incident records now."""
    level = incident.get_level_display()
    if incident.hq_level:
        level = f"{level} ({incident.get_hq_level_display()})"
    warning = getattr(incident, "hq_warning", None)
    if warning is not None:
        level = f"{level} · {_('HQ reference')} {warning.reference}"
    totals = incident.daily_counts.aggregate(c=Sum("complaints"), e=Sum("escalated"))
    cities = "、".join(str(city) for city in incident.cities.all()) or _("Not yet known")
    cause = _text(_latest(incident, SubmissionKind.ROOT_CAUSE))
    if incident.root_cause_category_id and not cause:
        cause = str(incident.root_cause_category)
    explanation = _text(_latest(incident, SubmissionKind.EXPLANATION))
    handling = _("%(state)s; owning department: %(department)s; %(mode)s.") % {
        "state": incident.get_state_display(),
        "department": incident.owning_department,
        "mode": incident.get_handling_mode_display(),
    }
    if explanation:
        handling += "\n" + _("Explanation script sent to front-line service: %s") % explanation
    values = {
        "level": level,
        "occurred_at": timezone.localtime(incident.occurred_at).strftime("%Y-%m-%d %H:%M"),
        "scope": cities,
        "customers": str(incident.customers_affected),
        "content": incident.description or incident.title,
        "complaints": _("%(complaints)s complaints, %(escalated)s escalated")
        % {"complaints": totals["c"] or 0, "escalated": totals["e"] or 0},
        "complaint_issues": "",
        "cause": cause,
        "handling": handling,
        "plan": _text(_latest(incident, SubmissionKind.ROOT_CAUSE)),
        "measures": "\n".join(
            f"{item.title}: {item.get_state_display()}" for item in incident.action_items.all()
        ),
    }
    return [{"key": key, "text": values.get(key, "")} for key in section_keys(kind)]


def report_title(incident: Incident, kind: str) -> str:
    return f"{incident.number} {incident.title} · {ReportKind(kind).label}"[:200]


def report_text(report) -> str:
    """The report as plain text (the e-mail's body, the robots' message); an empty cause is
    left out (第八条(三): 故障原因如不能及时查清则可以不写)."""
    lines = [report.title, ""]
    for section in report.sections:
        if section["key"] == "cause" and not section["text"].strip():
            continue
        lines.append(f"{section_label(section['key'])}: {section['text']}")
    return "\n".join(lines)


def report_pdf(report) -> bytes:
    story = [pdf.text(report.title, pdf.TITLE)]
    for section in report.sections:
        if section["key"] == "cause" and not section["text"].strip():
            continue
        story.append(pdf.text(section_label(section["key"]), pdf.HEADING))
        story.append(pdf.text(section["text"]))
    if report.approved_by_id:
        approved = timezone.localtime(report.approved_at).strftime("%Y-%m-%d %H:%M")
        story.append(
            pdf.text(
                _("Approved by %(who)s at %(at)s")
                % {"who": report.approved_by.get_username(), "at": approved},
                pdf.SMALL,
            )
        )
    return pdf.build(story, title=report.title)
