import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from core.api.fields import IsoDateTimeFilter
from core.api.filters import FilterSet
from incidents.choices import BusinessLine, Level, Source, State
from incidents.models import Complaint, Incident


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class RecordIdFilter(django_filters.NumberFilter):
    """A record's id: a whole number; one of no record (or one the caller may not see) finds
    nothing, as any other filter value that matches nothing, instead of a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class IncidentFilter(FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=State.choices)
    level = django_filters.MultipleChoiceFilter(choices=Level.choices)
    business_line = django_filters.MultipleChoiceFilter(choices=BusinessLine.choices)
    source = django_filters.ChoiceFilter(choices=Source.choices)
    department = django_filters.CharFilter(
        field_name="owning_department__code", label="Owning department (code)"
    )
    city = django_filters.CharFilter(field_name="cities__code", label="City (code)", distinct=True)
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    occurred_after = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Incident
        fields = ["state", "level", "business_line", "source", "department", "city"]


class ComplaintFilter(FilterSet):
    incident = RecordIdFilter(field_name="incident_id", label="Incident (id)")

    class Meta:
        model = Complaint
        fields = ["state", "business_line", "channel", "severity", "escalation", "incident"]
