"""Validation of plain items without the serializer's machinery, for a bulk that validates
hundreds of items with one serializer.

An item is plain when each of its fields is one this module knows and its value is the
ordinary kind (text for a text field, a known choice, a boolean): it is then validated here,
running the same field validators, to the same result as ``run_validation``. Anything else
— a missing required field, a wrong type, an unknown choice, a validator that objects —
returns None, and the caller runs the serializer, whose answer (its errors above all)
stands. Fields of other kinds validate themselves (``run_validation``), as the serializer
would have them do."""

import re
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from rest_framework import serializers
from rest_framework.fields import SkipField, empty
from rest_framework.validators import ProhibitSurrogateCharactersValidator

_NOT_PLAIN = object()


# The standard validators of a text field, whose verdict on a str is one test of the whole
# text here (the first two look at it character by character in Python): NUL, surrogates.
_CHARACTERS = (ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)
_UNFIT = re.compile("[\x00\ud800-\udfff]")


def _length(validator: Any) -> bool:
    return type(validator) is MaxLengthValidator and isinstance(validator.limit_value, int)


def _text(field: serializers.CharField) -> Callable[[Any], Any]:
    """The check of a value of ``field``: its standard validators as one test each (the
    characters, the length), any other run as it is."""
    characters = any(type(validator) in _CHARACTERS for validator in field.validators)
    lengths = [validator.limit_value for validator in field.validators if _length(validator)]
    longest = min(lengths) if lengths else None
    others = [
        validator
        for validator in field.validators
        if type(validator) not in _CHARACTERS and not _length(validator)
    ]
    trim, blank = field.trim_whitespace, field.allow_blank

    def check(value: Any) -> Any:
        if type(value) is not str:
            return _NOT_PLAIN
        if trim:
            value = value.strip()
        if not value and not blank:
            return _NOT_PLAIN
        if longest is not None and len(value) > longest:
            return _NOT_PLAIN
        if characters and _UNFIT.search(value) is not None:
            return _NOT_PLAIN
        try:
            for validator in others:
                validator(value)
        except (DjangoValidationError, serializers.ValidationError):
            return _NOT_PLAIN
        return value

    return check


def _choice(field: serializers.ChoiceField) -> Callable[[Any], Any]:
    choices = {} if field.validators else field.choice_strings_to_values

    def check(value: Any) -> Any:
        return choices[value] if type(value) is str and value in choices else _NOT_PLAIN

    return check


def _boolean(field: serializers.BooleanField) -> Callable[[Any], Any]:
    validated = not field.validators

    def check(value: Any) -> Any:
        return value if validated and type(value) is bool else _NOT_PLAIN

    return check


_KINDS = {
    serializers.CharField: _text,
    serializers.ChoiceField: _choice,
    serializers.BooleanField: _boolean,
}


def _own(field: serializers.Field) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        try:
            return field.run_validation(value)
        except (serializers.ValidationError, DjangoValidationError, SkipField):
            return _NOT_PLAIN

    return check


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
        plan.append((name, _KINDS.get(type(field), _own)(field), field))
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
        value = check(value)
        if value is _NOT_PLAIN:
            return None
        validated[name] = value
    return validated
