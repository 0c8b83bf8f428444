from datetime import timedelta

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.limits import DayField
from organisation.models import Department

from .models import PenaltyRule, ViolationState


def _people():
    return User.objects.filter(is_active=True, profile__isnull=False).order_by("username")


class ReportForm(forms.Form):
    """The unit's self-inspection form 自查报告."""

    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible_person = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=_people(), required=False
    )
    disputed = forms.BooleanField(label=_("We dispute this violation"), required=False)
    evidence = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(forms.Form):
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2}))
    customer_left = forms.BooleanField(label=_("The key customer left (doubled)"), required=False)
    bonus_months = forms.IntegerField(
        label=_("Bonus months"), required=False, min_value=0, max_value=12
    )


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2}))


class NoFieldsForm(forms.Form):
    pass


class ViolationForm(forms.Form):
    """A violation recorded by hand (found by inspection, reported by a leader...)."""

    rule = forms.ModelChoiceField(
        label=_("Rule"), queryset=PenaltyRule.objects.filter(is_active=True)
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True)
    )
    person = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=_people(), required=False
    )
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3})
    )


class InteractionFormForm(forms.Form):
    """互动单 (seed 002): the CS centre reports a suspected first-ask violation to marketing."""

    responsible_person = forms.CharField(label=_("First-ask person"), max_length=100)
    person = forms.ModelChoiceField(
        label=_("…as a user, if known"), queryset=_people(), required=False
    )
    customer_name = forms.CharField(label=_("Customer"), max_length=100)
    complaint_reason = forms.CharField(
        label=_("Complaint reason"), widget=forms.Textarea(attrs={"rows": 2})
    )
    violation_description = forms.CharField(
        label=_("Description of the violation"), widget=forms.Textarea(attrs={"rows": 3})
    )
    cs_opinion = forms.CharField(
        label=_("CS centre opinion"), widget=forms.Textarea(attrs={"rows": 2})
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True)
    )
    phone = forms.CharField(label=_("Phone"), max_length=30)


class SampleDrawForm(forms.Form):
    since = DayField(label=_("Closed since"))
    until = DayField(label=_("Closed until"))
    size = forms.IntegerField(label=_("Sample size"), min_value=1, max_value=200, initial=10)
    seed = forms.CharField(
        label=_("Random seed"),
        required=False,
        max_length=40,
        help_text=_("Leave empty for a new draw; the same seed repeats a draw."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["until"].initial = today
        self.fields["since"].initial = today - timedelta(days=30)


class SampleReviewForm(forms.Form):
    compliant = forms.TypedChoiceField(
        label=_("Handled as required"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ViolationFilterForm(forms.Form):
    """The violation list's filters (GET)."""

    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Any state")), *ViolationState.choices],
        required=False,
        widget=forms.Select(attrs={"data-autosubmit": True}),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=_("Any department"),
    )
    since = DayField(label=_("From"), required=False)
    until = DayField(label=_("To"), required=False)
