from django import forms
from django.utils.translation import gettext_lazy as _

from core.limits import DayField, MomentField
from incidents.choices import BusinessLine
from organisation.models import City, Department

from .models import PlannedWorkKind, PlannedWorkState


class PlannedWorkForm(forms.Form):
    """Register or change planned work (Tab through; the window in the browser's pickers)."""

    title = forms.CharField(
        label=_("What"), max_length=200, widget=forms.TextInput(attrs={"autofocus": True})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=PlannedWorkKind.choices)
    cities = forms.ModelMultipleChoiceField(
        label=_("Cities"),
        queryset=City.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple,
    )
    districts = forms.CharField(
        label=_("Districts"),
        max_length=300,
        required=False,
        help_text=_("Counties, districts, streets."),
    )
    business_lines = forms.MultipleChoiceField(
        label=_("Business lines"),
        choices=BusinessLine.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = MomentField(label=_("Window starts"))
    ends_at = MomentField(label=_("Window ends"))
    customer_impact = forms.CharField(
        label=_("Expected customer impact"), widget=forms.Textarea(attrs={"rows": 2})
    )
    customers_affected = forms.IntegerField(
        label=_("Customers affected"), min_value=0, max_value=100_000_000, initial=0
    )
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PlannedWorkCreateForm(PlannedWorkForm):
    owning_department = forms.ModelChoiceField(
        label=_("Owning department"),
        queryset=Department.objects.filter(is_active=True).order_by("code"),
    )
    submit = forms.BooleanField(label=_("Submit for approval now"), required=False, initial=True)


class NoFieldsForm(forms.Form):
    pass


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(forms.Form):
    note = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(forms.Form):
    at = MomentField(label=_("Done at"))


class UnannouncedForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department that did the work"),
        queryset=Department.objects.filter(is_active=True).order_by("code"),
    )
    title = forms.CharField(label=_("What work"), max_length=200)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlannedWorkFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Any state")), *PlannedWorkState.choices],
        required=False,
    )
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=_("Any city"),
    )
    since = DayField(label=_("Window from"), required=False)
    until = DayField(label=_("Window to"), required=False)
