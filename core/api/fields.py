"""Input fields shared by every resource."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.limits import ZonedMoment, out_of_range, validate_day, validate_moment


def _refused(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.messages, code=error.code)


def _within(validate, value) -> None:
    """Run a validator of core.limits, raising as a serializer field does."""
    try:
        validate(value)
    except DjangoValidationError as error:
        raise _refused(error) from None


# the days the platform takes (core.limits), 2000-01-01 to 2100-12-31, as the schema says
IN_RANGE = r"^(20[0-9]{2}|2100)-"


@extend_schema_field({"type": "string", "format": "date-time", "pattern": IN_RANGE})
class DateTimeField(serializers.DateTimeField):
    """ISO 8601 with offset, on a day the platform takes (core.limits); stored in UTC.
    A time at the ends of the calendar (``0001-01-01T00:00``) is refused, not an overflow."""

    def to_internal_value(self, value):
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:  # the zone's offset takes it beyond the calendar
            raise _refused(out_of_range()) from None
        except serializers.ValidationError as error:
            if error.get_codes() == ["overflow"]:  # DRF's own catch of the same
                raise _refused(out_of_range()) from None
            raise
        _within(validate_moment, parsed)
        return parsed


@extend_schema_field({"type": "string", "format": "date", "pattern": IN_RANGE})
class DateField(serializers.DateField):
    """An ISO 8601 day the platform takes (core.limits)."""

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        _within(validate_day, parsed)
        return parsed


class _IsoDateTimeField(ZonedMoment, django_filters.fields.IsoDateTimeField):
    """A filter's time, on a day the platform takes (core.limits)."""

    default_validators = [validate_moment]


@extend_schema_field({"type": "string", "format": "date-time", "pattern": IN_RANGE})
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


# How DRF writes a time (ISO 8601 in the current time zone), for representations built by hand.
_TIME = serializers.DateTimeField()


def time_or_none(value):
    return None if value is None else _TIME.to_representation(value)


def code_or_none(record):
    return None if record is None else record.code


@extend_schema_field({"type": "object", "additionalProperties": {}})
class ObjectField(serializers.Field):
    """An object taken as it is, for a serializer of its own to check afterwards (each item
    of a bulk): ``DictField``'s answer to anything else, without its walk through every
    member, which a bulk of 500 paid for nothing."""

    default_error_messages = serializers.DictField.default_error_messages

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_a_dict", input_type=type(data).__name__)
        return data

    def to_representation(self, value):
        return value
