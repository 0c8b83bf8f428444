"""Forms of the complaint pages; each feeds one service, like the API's input serializers."""

import json

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.limits import MomentField
from incidents.choices import BusinessLine
from incidents.forms import AssigneeFilterField, RecordFilterForm, SearchField
from incidents.services import person_name
from organisation.models import City, Department

from .choices import ComplaintState, Escalation, Satisfaction, Severity
from .services import PHONE


class ComplaintFilterForm(RecordFilterForm):
    """The complaint list's filters (GET)."""

    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Any state")), ("open", _("Not archived")), *ComplaintState.choices],
        required=False,
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=[("", _("Any severity")), *Severity.choices],
        required=False,
    )
    escalated = forms.BooleanField(label=_("Escalated only"), required=False)
    assignee = AssigneeFilterField()
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    event = forms.ChoiceField(
        label=_("Period of"),
        choices=[("received", _("Received")), ("archived", _("Archived"))],
        required=False,
    )
    q = SearchField(placeholder=_("Number, customer, full phone or account, text"))
    field_order = [
        "q",
        "state",
        "severity",
        "business_line",
        "department",
        "city",
        "event",
        "since",
    ]


class ComplaintConsoleForm(forms.Form):
    """The hotline console: the customer fields of seed 003 第八条 11 are required; the
    outcome of the call is chosen in the same form (resolved now, or dispatched)."""

    customer_phone = forms.CharField(
        label=_("Contact phone"), max_length=30, widget=forms.TextInput(attrs={"autofocus": True})
    )
    customer_name = forms.CharField(label=_("Customer name"), max_length=100)
    customer_account = forms.CharField(label=_("Account"), max_length=50)
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.order_by("pk"))
    address = forms.CharField(label=_("Address"), max_length=300)
    business_line = forms.ChoiceField(label=_("Business line"), choices=BusinessLine.choices)
    summary = forms.CharField(label=_("Summary"), max_length=200)
    description = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.GENERAL
    )
    escalation = forms.ChoiceField(
        label=_("Escalation"), choices=Escalation.choices, initial=Escalation.NONE
    )
    is_vip = forms.BooleanField(label=_("VIP / key customer"), required=False)
    incident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Outcome of the call"),
        choices=[
            ("dispatch", _("Dispatch to a department")),
            ("resolved", _("Resolved during the call")),
        ],
        initial="dispatch",
        widget=forms.RadioSelect,
    )
    department = forms.ModelChoiceField(
        label=_("Dispatch to"),
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        required=False,
        help_text=_("A call linked to an incident goes to the incident's owning department."),
    )
    satisfaction = forms.ChoiceField(
        label=_("Customer satisfied?"),
        choices=[("", "—"), *Satisfaction.choices],
        required=False,
    )
    raise_incident = forms.BooleanField(
        label=_("Report a suspected incident"),
        required=False,
        help_text=_(
            "Many customers hit by one problem: the customer-service department is told and "
            "classifies it; the call is linked to it."
        ),
    )

    # checked on the server as each is left (hx-post), not only once the whole form is sent
    CHECKED_ON_LEAVING = (
        "customer_phone",
        "customer_name",
        "customer_account",
        "address",
        "summary",
        "description",
    )

    def __init__(self, *args, check_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.CHECKED_ON_LEAVING if check_url else ():
            self.fields[name].widget.attrs.update(
                {
                    "hx-post": check_url,
                    "hx-trigger": "blur changed",
                    "hx-target": f"#id_{name}_errors",
                    "hx-swap": "innerHTML",
                    "hx-vals": json.dumps({"check": name}),
                }
            )

    def clean_customer_phone(self):
        phone = self.cleaned_data["customer_phone"].strip()
        if not PHONE.match(phone):  # the intake's own rule, said as the field is left
            raise forms.ValidationError(_("Give a phone number of digits."))
        return phone

    def clean(self):
        data = super().clean()
        # linked to an incident (or raising one), the call goes to its owning department
        linked = data.get("incident") or data.get("raise_incident")
        if data.get("outcome") == "dispatch" and not data.get("department") and not linked:
            self.add_error("department", _("Choose the department to dispatch to."))
        if data.get("outcome") == "resolved" and not data.get("satisfaction"):
            self.add_error("satisfaction", _("Ask whether the customer is satisfied."))
        return data


class DispatchForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True).order_by("code")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is not ours"), widget=forms.Textarea(attrs={"rows": 2})
    )


class HandOverForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("First-responsible handler"), queryset=None)

    def __init__(self, *args, complaint=None, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth.models import User

        people = User.objects.filter(
            is_active=True, profile__department=getattr(complaint, "department", None)
        )
        self.fields["handler"].queryset = people.select_related("profile").order_by("username")
        self.fields["handler"].label_from_instance = person_name


class ComplaintReplyForm(forms.Form):
    resolved_at = MomentField(label=_("Resolved at"))
    cause_and_result = forms.CharField(
        label=_("Cause and result"), widget=forms.Textarea(attrs={"rows": 3})
    )
    delay_reason = forms.CharField(
        label=_("Reason for the delay"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when a limit was missed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolved_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class CallbackForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Customer satisfied?"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConveneForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True).order_by("code")
    )
    assignment = forms.CharField(
        label=_("Written assignment"), widget=forms.Textarea(attrs={"rows": 2})
    )


class SuspectedIncidentForm(forms.Form):
    """A suspected incident raised from a complaint: what it is about; the customer-service
    department classifies it."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What the customers report"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LinkForm(forms.Form):
    incident = forms.CharField(label=_("Incident number"), help_text=_("e.g. INC-20261122-0001"))


class IdsField(forms.Field):
    """The ids of the complaints ticked on the list (``ids`` once per row)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            ids = [int(item) for item in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Select complaints on the list."), "invalid") from None
        if any(not 0 < item < 2**63 for item in ids):
            raise forms.ValidationError(_("Select complaints on the list."), "invalid")
        return list(dict.fromkeys(ids))

    def validate(self, value):
        if not value:
            raise forms.ValidationError(_("Select complaints on the list."), "required")
        if len(value) > settings.COMPLAINT_BULK_ACTION_MAX:
            raise forms.ValidationError(
                _("At most %(max)s complaints at a time; %(count)s were selected."),
                "too_many",
                params={"max": settings.COMPLAINT_BULK_ACTION_MAX, "count": len(value)},
            )


BULK_ACTION_CHOICES = [
    ("dispatch", _("Dispatch to a department")),
    ("hand_over", _("Hand over to a handler")),
    ("close", _("Close: customer satisfied")),
]


class BulkActionForm(forms.Form):
    """One action on the complaints ticked on the list; each goes through the single
    action's service (as `DispatchForm`, `HandOverForm`, `CallbackForm`)."""

    ids = IdsField()
    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTION_CHOICES)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label=_("Department (to dispatch to)"),
    )
    handler = forms.ModelChoiceField(
        label=_("First-responsible handler"),
        queryset=None,
        required=False,
        empty_label=_("Handler (to hand over to)"),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    query = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth.models import User

        department = getattr(getattr(user, "profile", None), "department", None)
        self.fields["handler"].queryset = (
            User.objects.filter(is_active=True, profile__department=department)
            .select_related("profile")
            .order_by("username")
        )
        self.fields["handler"].label_from_instance = person_name

    def clean(self):
        data = super().clean()
        if data.get("action") == "dispatch" and not data.get("department"):
            self.add_error("department", _("Choose the department to dispatch to."))
        if data.get("action") == "hand_over" and not data.get("handler"):
            self.add_error("handler", _("Choose the handler to hand over to."))
        return data
