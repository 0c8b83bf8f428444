"""What input the platform takes, defined once for the page forms, the API's serializers and
filters: days and times within the years a record can have, counts an integer column holds,
months (assessment periods) written YYYY-MM.

A date the calendar knows but no record can have (0001-01-01, 9999-12-31, 1900-01-01) is
refused where it is typed, naming the field: past here it would overflow a day's arithmetic
or be stored and swept into violations.
"""

import re
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)

# people, complaints and the like: well within PostgreSQL's integer (2,147,483,647)
LARGEST_COUNT = 2_000_000_000

OUT_OF_RANGE = _("Give a date between %(earliest)s and %(latest)s.")


def out_of_range() -> ValidationError:
    """The error of a day or time outside the platform's days."""
    return ValidationError(
        OUT_OF_RANGE,
        code="out_of_range",
        params={"earliest": EARLIEST_DAY.isoformat(), "latest": LATEST_DAY.isoformat()},
    )


def validate_day(value: date) -> None:
    """A day from ``EARLIEST_DAY`` to ``LATEST_DAY``: far from the calendar's ends, and no
    record of the platform is older or planned later."""
    if isinstance(value, datetime):
        value = value.date()
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise out_of_range()


def validate_moment(value: datetime) -> None:
    """A moment on a day :func:`validate_day` takes (its day where its offset says): so far
    from the calendar's ends that no time zone takes it beyond them."""
    validate_day(value.date())


PERIOD = re.compile(r"([1-9][0-9]{3})-(0[1-9]|1[0-2])", re.ASCII)


def parse_period(period: str) -> tuple[int, int]:
    """The year and month of a period ``YYYY-MM`` (a four-digit year, a month 01–12);
    ``ValueError`` for anything else (``2026-1``, ``2026-13``, ``99999999999999999999-01``).

    Any four-digit year: every record's month parses, whatever day it was given (the
    incident form once took 1900-01-01), and none is near the calendar's ends."""
    match = PERIOD.fullmatch(period)
    if match is None:
        raise ValueError(f"not a month YYYY-MM: {period!r}")
    return int(match[1]), int(match[2])


class DateInput(forms.DateInput):
    """The browser's date picker: its value is ISO (2026-03-10) whatever the page's language
    (a localized value such as 2026年3月10日 leaves the picker empty)."""

    input_type = "date"

    def __init__(self, attrs=None, **kwargs):
        super().__init__(attrs=attrs, format="%Y-%m-%d", **kwargs)


class DayField(forms.DateField):
    """A form's date within the platform's days, picked in the browser's date picker."""

    widget = DateInput
    default_validators = [validate_day]


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker (ISO values, whatever the page's language)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ZonedMoment:
    """A typed moment, once valid, as the same moment in the deployment's zone: the offset
    it was typed with may be one Python takes (up to ±24 h) and PostgreSQL does not (up to
    ±15:59)."""

    def clean(self, value):
        value = super().clean(value)  # type: ignore[misc]
        return None if value is None else timezone.localtime(value)


class MomentField(ZonedMoment, forms.DateTimeField):
    """A form's date and time within the platform's days (a time without an offset is in
    the deployment's zone), picked in the browser's date-and-time picker."""

    widget = DateTimeLocalInput
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    default_validators = [validate_moment]
