from django import forms
from django.utils.translation import gettext_lazy as _

from .calendar import NotADay, parse_day_ranges


class CalendarYearForm(forms.Form):
    """A year's State Council holiday schedule as an administrator types it (admin)."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2200)
    holidays = forms.CharField(
        label=_("Holidays (days off)"),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 40}),
        help_text=_(
            "One day (2027-01-01) or range (2027-02-05..2027-02-13) per line, weekends within "
            "a holiday included; text after # is a comment."
        ),
    )
    workdays = forms.CharField(
        label=_("Make-up working days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 40}),
        help_text=_(
            "The Saturdays and Sundays that are worked (make-up working days), one per line."
        ),
    )
    notes = forms.CharField(
        label=_("Source"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Where the schedule comes from, e.g. the State Council notice."),
    )

    def _days(self, name: str):
        try:
            return parse_day_ranges(self.cleaned_data[name].splitlines())
        except NotADay as error:
            raise forms.ValidationError(
                _("“%(item)s” is neither a date (YYYY-MM-DD) nor a range (start..end)."),
                code="invalid",
                params={"item": error.item},
            ) from None

    def clean_holidays(self):
        return self._days("holidays")

    def clean_workdays(self):
        return self._days("workdays")
