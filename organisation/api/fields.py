"""Input fields shared by every resource."""

from datetime import UTC, datetime

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Wide enough for any real record, narrow enough for every database and time zone.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _in_range(value: datetime) -> bool:
    return value.utcoffset() is not None and EARLIEST <= value <= LATEST


class DateTimeField(serializers.DateTimeField):
    """ISO 8601 with offset; rejects times outside 1970–2200 and stores them in UTC."""

    default_error_messages = {"out_of_range": _("Give a time between 1970 and 2200.")}

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        try:
            if not _in_range(parsed):
                self.fail("out_of_range")
        except OverflowError:
            self.fail("out_of_range")
        return parsed


class _IsoDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            in_range = _in_range(parsed)
        except OverflowError:
            in_range = False
        if not in_range:
            raise forms.ValidationError(_("Give a time between 1970 and 2200."), code="invalid")
        return parsed.astimezone(UTC)


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _IsoDateTimeField


class CodeField(serializers.SlugRelatedField):
    """A record named by its ``code``; text the database cannot hold is invalid, not a 500.

    Records found are remembered by the field, so a serializer that validates many items
    (bulk intake) looks each code up once."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 100:
            self.fail("invalid")
        found = self.__dict__.setdefault("_found", {})
        if data not in found:
            found[data] = super().to_internal_value(data)
        return found[data]
