"""Forms of the incident pages; each feeds one service, like the API's input serializers."""

from datetime import timedelta

from django import forms
from django.contrib.auth.models import User
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.limits import LARGEST_COUNT, DayField, MomentField
from organisation.models import City, Department

from .choices import (
    ActionItemState,
    BusinessLine,
    CancelReason,
    HqLevel,
    Level,
    Publicity,
    Source,
    State,
)
from .services import person_name


class IncidentCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    business_line = forms.ChoiceField(
        label=_("Business line"), choices=[("", "—"), *BusinessLine.choices]
    )
    source = forms.ChoiceField(label=_("Source"), choices=[("", "—"), *Source.choices])
    hq_level = forms.ChoiceField(label=_("HQ level"), choices=HqLevel.choices, required=False)
    occurred_at = MomentField(label=_("Occurred at"))
    detected_at = MomentField(label=_("Detected at"), required=False)
    cities = forms.ModelMultipleChoiceField(
        label=_("Cities affected"),
        queryset=City.objects.order_by("pk"),  # the province's own order, capital first
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    customers_affected = forms.IntegerField(
        label=_("Customers affected"), min_value=0, max_value=LARGEST_COUNT, initial=0
    )
    publicity = forms.ChoiceField(label=_("Negative publicity"), choices=Publicity.choices)
    legal_involved = forms.BooleanField(label=_("Legal involvement"), required=False)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    owning_department = forms.ModelChoiceField(
        label=_("Owning department"),
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label=_("By business line"),
    )
    out_of_scope = forms.ChoiceField(
        label=_("Out of scope"),
        required=False,
        choices=[
            ("", _("No: a service-quality event")),
            (CancelReason.NATURAL_DISASTER.value, CancelReason.NATURAL_DISASTER.label),
            (CancelReason.SOCIAL_EVENT.value, CancelReason.SOCIAL_EVENT.label),
        ],
        help_text=_("Natural disasters and social events follow other plans (Article 3)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class FactsForm(forms.Form):
    """What is known of an open incident; the matrix runs again on it (levels only rise)."""

    title = IncidentCreateForm.base_fields["title"]
    cities = IncidentCreateForm.base_fields["cities"]
    customers_affected = IncidentCreateForm.base_fields["customers_affected"]
    publicity = IncidentCreateForm.base_fields["publicity"]
    hq_level = IncidentCreateForm.base_fields["hq_level"]
    legal_involved = IncidentCreateForm.base_fields["legal_involved"]
    description = IncidentCreateForm.base_fields["description"]

    def clean(self):
        data = super().clean()
        if not data.get("hq_level"):
            data.pop("hq_level", None)  # not an HQ warning: the level HQ gave stays as it is
        return data


class ClassifyForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))


def _root_cause_categories():
    from .models import RootCauseCategory

    return [("", "—")] + [
        (c.code, c.name) for c in RootCauseCategory.objects.filter(is_active=True)
    ]


class RootCauseForm(forms.Form):
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(
        label=_("Root-cause category"),
        choices=_root_cause_categories,
        help_text=_("With the business line and the cities, it tells whether the event recurs."),
    )
    handling_plan = forms.CharField(
        label=_("Complaint-handling plan"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(forms.Form):
    restored_at = MomentField(label=_("Restored at"))
    cause_and_result = forms.CharField(
        label=_("Cause and result"), widget=forms.Textarea(attrs={"rows": 3})
    )
    delay_reason = forms.CharField(
        label=_("Reason for the delay"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when a deadline was missed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["restored_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


def _text(label, rows=3, required=True, **kwargs):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


class SummaryReportForm(forms.Form):
    """事件总结报告 (seed 001 三(五)1); the meeting fields are required for major events."""

    cause = _text(_("Cause"))
    process = _text(_("Handling process"))
    result = _text(_("Result"), rows=2)
    lessons = _text(_("Lessons learnt"))
    meeting_date = DayField(
        label=_("Meeting date"),
        required=False,
        help_text=_("Major events (HQ-issued, red, orange) are discussed in a meeting."),
    )
    attendees = _text(_("Attendees"), rows=2, required=False)
    conclusions = _text(_("Conclusions of the meeting"), rows=2, required=False)


class BulletinForm(forms.Form):
    """What the special bulletin adds to what the incident already holds."""

    effect = _text(_("Effect of the measures"))
    reported_to = forms.CharField(
        label=_("Measures reported to"),
        initial=_("the executive in charge and the emergency leadership group"),
    )
    reported_at = MomentField(label=_("Reported at"))
    hq_recipients = forms.CharField(
        label=_("Sent to HQ departments"),
        required=False,
        initial=_("HQ marketing department and the professional departments"),
    )


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("Measure"), max_length=200)
    description = _text(_("Details"), rows=2, required=False)
    owner_department = forms.ModelChoiceField(
        label=_("Owner department"),
        queryset=Department.objects.filter(is_active=True).order_by("code"),
    )
    owner = forms.ModelChoiceField(
        label=_("Responsible person"),
        queryset=User.objects.filter(is_active=True, profile__isnull=False)
        .select_related("profile__department")
        .order_by("profile__department__code", "profile__full_name"),
        required=False,
        help_text=_("A person of the owner department; else its interface person answers."),
    )
    due_at = MomentField(label=_("Due"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].label_from_instance = _person_label
        self.fields["due_at"].initial = (timezone.localtime() + timedelta(days=30)).replace(
            hour=18, minute=0, second=0, microsecond=0
        )


def _person_label(user) -> str:
    profile = user.profile
    return f"{profile.full_name or user.username} · {profile.department or ''}"


class AssignForm(forms.Form):
    """Name the person who works on a record, among the people of the department answering
    for it; replacing someone asks why (the field is there only then)."""

    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none())
    reason = _text(_("Why someone else"), rows=2)

    def __init__(self, *args, department=None, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True, profile__department=department)
        if current is not None:
            people = people.exclude(pk=current.pk)
        field = self.fields["assignee"]
        field.queryset = people.select_related("profile").order_by("profile__full_name", "pk")
        field.label_from_instance = person_name
        if current is None:
            del self.fields["reason"]
        else:
            field.help_text = _("Now: %(person)s") % {"person": person_name(current)}


class EvidenceForm(forms.Form):
    evidence = _text(_("Evidence of completion"))


class ReasonForm(forms.Form):
    reason = _text(_("Reason"), rows=2)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CancelReason.choices)
    merged_into = forms.CharField(
        label=_("Duplicate of (number)"), required=False, help_text=_("e.g. INC-20261122-0001")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChangeOwnerForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("New owning department"),
        queryset=Department.objects.filter(is_active=True).order_by("code"),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class EscalateForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Escalate to"),
        choices=[
            ("line", _("Line: the professional line's head department joins")),
            ("plane", _("Plane: cross-department coordination")),
        ],
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments (plane)"),
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        required=False,
    )
    assignment = forms.CharField(
        label=_("Written assignment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _deadline_kinds():
    from deadlines.models import DeadlinePolicy

    return [("", _("Any kind"))] + [(p.code, p.name) for p in DeadlinePolicy.objects.all()]


class SearchField(forms.CharField):
    """A list's search box (``?q=``): the page's one, which ``/`` goes to."""

    def __init__(self, *, placeholder, **kwargs):
        attrs = {"type": "search", "id": "search", "data-shortcut": "/", "placeholder": placeholder}
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 100)
        super().__init__(widget=forms.TextInput(attrs=attrs), **kwargs)


class RecordFilterForm(forms.Form):
    """The filters the lists and the dashboards share (GET)."""

    business_line = forms.ChoiceField(
        label=_("Business line"),
        choices=[("", _("Any line")), *BusinessLine.choices],
        required=False,
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=_("Any department"),
    )
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=_("Any city"),
    )
    since = DayField(label=_("From"), required=False)
    until = DayField(label=_("To"), required=False)


class _AssigneeSelect(forms.Select):
    def get_context(self, name, value, attrs):
        # a person chosen by id (a link from elsewhere) shows by name
        known = {str(choice) for choice, _label in self.choices}
        if value and str(value).isdigit() and str(value) not in known:
            user = User.objects.filter(pk=value).select_related("profile").first()
            if user is not None:
                self.choices = [*self.choices, (str(value), person_name(user))]
        return super().get_context(name, value, attrs)


class AssigneeFilterField(forms.CharField):
    """Whose records a list shows: anyone's, mine, nobody's, or a person's (``?assignee=``
    with their id)."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("Assignee"),
            required=False,
            validators=[RegexValidator(r"^(me|none|[0-9]{1,18})$")],
            widget=_AssigneeSelect(
                choices=[
                    ("", _("Anyone")),
                    ("me", _("Assigned to me")),
                    ("none", _("Unassigned")),
                ]
            ),
            **kwargs,
        )


LIVE = "live"  # the pseudo-state of the lists: every state before closed or cancelled


class IncidentFilterForm(RecordFilterForm):
    """The incident list's filters (GET)."""

    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Any state")), (LIVE, _("Not closed")), *State.choices],
        required=False,
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("Any level")), *Level.choices], required=False
    )
    event = forms.ChoiceField(
        label=_("Period of"),
        choices=[("created", _("Reported")), ("resolved", _("Resolved")), ("closed", _("Closed"))],
        required=False,
    )
    assignee = AssigneeFilterField()
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = SearchField(placeholder=_("Number, title or description"))
    field_order = ["q", "state", "level", "business_line", "department", "city", "event", "since"]


class DeadlineFilterForm(forms.Form):
    """The deadline list's filters (GET); managers may look beyond their department."""

    when = forms.ChoiceField(
        label=_("Which"),
        choices=[
            ("", _("Still to do")),
            ("overdue", _("Overdue")),
            ("soon", _("Due soon")),
            ("settled", _("Met or missed, by due date")),
        ],
        required=False,
    )
    department = RecordFilterForm.base_fields["department"]
    kind = forms.ChoiceField(label=_("Kind"), choices=_deadline_kinds, required=False)
    since = RecordFilterForm.base_fields["since"]
    until = RecordFilterForm.base_fields["until"]


class ActionItemFilterForm(forms.Form):
    """My rectification items' filters (GET): by default the items still to do or to
    verify."""

    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            ("", _("To do or to verify")),
            ("all", _("Any state")),
            *ActionItemState.choices,
        ],
        required=False,
    )
    department = RecordFilterForm.base_fields["department"]
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
