"""Validation of plain items without the serializer's machinery, for a bulk that validates
hundreds of items with one serializer.

An item is plain when each of its fields is one this module knows and its value is the
ordinary kind (text for a text field, a known choice, a boolean): it is then validated here,
running the same field validators, to the same result as ``run_validation``. Anything else
— a missing required field, a wrong type, an unknown choice, a validator that objects —
returns None, and the caller runs the serializer, whose answer (its errors above all)
stands. Fields of other kinds validate themselves (``run_validation``), as the serializer
would have them do."""

from contextlib import suppress
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

_NOT_PLAIN = object()


def _text(field: serializers.CharField, value: Any) -> Any:
    if type(value) is not str:
        return _NOT_PLAIN
    if field.trim_whitespace:
        value = value.strip()
    if not value and not field.allow_blank:
        return _NOT_PLAIN
    try:
        for validator in field.validators:
            validator(value)
    except (DjangoValidationError, serializers.ValidationError):
        return _NOT_PLAIN
    return value


def _choice(field: serializers.ChoiceField, value: Any) -> Any:
    if type(value) is not str or value not in field.choice_strings_to_values or field.validators:
        return _NOT_PLAIN
    return field.choice_strings_to_values[value]


def _boolean(field: serializers.BooleanField, value: Any) -> Any:
    return value if type(value) is bool and not field.validators else _NOT_PLAIN


_KINDS = {
    serializers.CharField: _text,
    serializers.ChoiceField: _choice,
    serializers.BooleanField: _boolean,
}


def _own(field: serializers.Field, value: Any) -> Any:
    try:
        return field.run_validation(value)
    except (serializers.ValidationError, DjangoValidationError, SkipField):
        return _NOT_PLAIN


def _plan(serializer: serializers.Serializer) -> list | None:
    """Per field: its name, how a value of it is validated, and the field; None for a
    serializer that validates beyond its fields."""
    plan = serializer.__dict__.get("_plain_plan", _NOT_PLAIN)
    if plan is not _NOT_PLAIN:
        return plan
    plan = []
    own_checks = type(serializer).validate is not serializers.Serializer.validate
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if (
            field.source != name
            or own_checks
            or serializer.validators
            or hasattr(serializer, f"validate_{name}")
        ):
            plan = None
            break
        plan.append((name, _KINDS.get(type(field), _own), field))
    serializer.__dict__["_plain_plan"] = plan
    return plan


def plain_validation(serializer: serializers.Serializer, data: Any) -> dict | None:
    """``data`` validated as ``serializer.run_validation`` would, if it is plain; else None."""
    plan = _plan(serializer)
    if plan is None or not isinstance(data, dict):
        return None
    validated: dict[str, Any] = {}
    for name, check, field in plan:
        value = data.get(name, empty)
        if value is empty:
            if field.required:
                return None
            with suppress(SkipField):  # no default: left out, as the serializer leaves it
                validated[name] = field.get_default()
            continue
        if value is None:
            if not field.allow_null:
                return None
            validated[name] = None
            continue
        value = check(field, value)
        if value is _NOT_PLAIN:
            return None
        validated[name] = value
    return validated
