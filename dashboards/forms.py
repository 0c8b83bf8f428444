"""The dashboards' filters, read from the query string by the page, the API and the exports."""

from datetime import timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.limits import DayField
from incidents.choices import BusinessLine, Level
from organisation.models import City, Department
from organisation.selectors import user_department, user_sees_everything

from .selectors import Filters

MAX_DAYS = 366

# who may instead, on the 403 page
DEPARTMENT_PEOPLE_ONLY = _(
    "The dashboard shows a department's figures to its people, and the whole province's to "
    "the working group and the managers."
)


class FilterForm(forms.Form):
    since = DayField(label=_("From"), required=False)
    until = DayField(label=_("To"), required=False)
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
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("Any level")), *Level.choices], required=False
    )
    business_line = forms.ChoiceField(
        label=_("Business line"),
        choices=[("", _("Any line")), *BusinessLine.choices],
        required=False,
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        until = data.get("until") or today
        since = data.get("since") or until - timedelta(days=29)
        if since > until:
            self.add_error("until", _("The end comes before the start."))
        elif (until - since).days >= MAX_DAYS:
            self.add_error("since", _("At most %(days)s days at once.") % {"days": MAX_DAYS})
        data["since"], data["until"] = since, until
        return data

    def filters(self, user) -> Filters:
        """The filters of a valid form; people who do not oversee every department see their
        own department's figures only, and someone of no department none (no department
        filter would be the whole province's)."""
        data = self.cleaned_data
        department = data.get("department")
        if not user_sees_everything(user):
            department = user_department(user)
            if department is None:
                raise PermissionDenied(
                    _(
                        "The dashboard shows a department's figures to its people, and the whole "
                        "province's to the working group and the managers."
                    )
                )
        return Filters(
            since=data["since"],
            until=data["until"],
            department=department,
            city=data.get("city"),
            level=data.get("level") or "",
            business_line=data.get("business_line") or "",
        )
