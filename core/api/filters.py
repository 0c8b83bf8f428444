"""Filters that say no: a filter given a value it cannot use is a 400 naming it.

django-filter, left alone, reads ``?manages_business=maybe`` or ``?occurred_before=`` as no
filter at all and answers every row, as if the caller had asked for everything. The API's
filters instead refuse what the schema does not allow: a yes/no filter takes ``true`` or
``false``; a typed filter (a choice, a number, a time) given an empty value is an error, as it
is no value of its type. Only free-text filters take an empty value, as no filter.
"""

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from core.assignment import assigned_q


class YesNoField(forms.TypedChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.pop("empty_value", None)
        super().__init__(
            *args,
            choices=[("true", "true"), ("false", "false")],
            coerce=lambda value: value == "true",
            empty_value=None,
            **kwargs,
        )


class YesNoFilter(django_filters.BooleanFilter):
    """``true`` or ``false``; anything else is an error, not "no filter"."""

    field_class = YesNoField


class FilterSet(django_filters.FilterSet):
    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": YesNoFilter},
    }

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, declared in self.filters.items():
            if self.data.get(name) == "" and not isinstance(declared, django_filters.CharFilter):
                self.form.add_error(
                    name,
                    forms.ValidationError(
                        _("A value is required (or leave the filter out)."), code="blank"
                    ),
                )
                valid = False
        return valid


class FilterBackend(DjangoFilterBackend):
    """The project's filter backend: filter sets made from ``filterset_fields`` are strict too."""

    filterset_base = FilterSet


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class RecordIdFilter(django_filters.NumberFilter):
    """A record's id: a whole number; one of no record (or one the caller may not see) finds
    nothing, as any other filter value that matches nothing, instead of a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


# --- who a record is assigned to ---------------------------------------------------------------

ASSIGNEE = r"^(me|none|[0-9]{1,18}|[A-Za-z0-9_.@+-]{1,150})$"


@extend_schema_field({"type": "string", "pattern": ASSIGNEE})
class AssigneeFilter(django_filters.Filter):
    """``me``, ``none`` (unassigned), or a person's id or username; typed, so an empty
    value is an error (the schema's pattern), not "no filter"."""

    field_class = forms.CharField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [RegexValidator(ASSIGNEE)])
        kwargs.setdefault(
            "help_text", "`me`, `none` (nobody assigned) or a person's id or username."
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(assigned_q(self.field_name, value, self.parent.request.user))
