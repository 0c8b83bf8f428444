import django_filters

from core.api.fields import IsoDateTimeFilter
from core.api.filters import AssigneeFilter, FilterSet, YesNoFilter
from deadlines.models import overdue_records
from incidents.choices import BusinessLine, Level, Source, State
from incidents.models import Incident
from incidents.selectors import incidents_search


class IncidentFilter(FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label="Search: the number (or its beginning), or two characters or more of the title or "
        "the description",
    )
    state = django_filters.MultipleChoiceFilter(choices=State.choices)
    level = django_filters.MultipleChoiceFilter(choices=Level.choices)
    business_line = django_filters.MultipleChoiceFilter(choices=BusinessLine.choices)
    source = django_filters.ChoiceFilter(choices=Source.choices)
    department = django_filters.CharFilter(
        field_name="owning_department__code", label="Owning department (code)"
    )
    city = django_filters.CharFilter(method="filter_city", label="City (code)")
    assignee = AssigneeFilter(field_name="assignee", label="Assignee")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    occurred_after = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")
    overdue = YesNoFilter(method="filter_overdue", label="With a deadline missed and not done")

    class Meta:
        model = Incident
        fields = [
            "q",
            "state",
            "level",
            "business_line",
            "source",
            "department",
            "city",
            "overdue",
            "assignee",
        ]

    def filter_q(self, queryset, name, value):
        return incidents_search(queryset, value)

    def filter_city(self, queryset, name, value):
        # a semi-join, not a join: no row twice, so no DISTINCT over the whole list
        if not value:
            return queryset
        touched = Incident.cities.through.objects.filter(city__code=value)
        return queryset.filter(pk__in=touched.values("incident_id"))

    def filter_overdue(self, queryset, name, value):
        overdue = overdue_records(Incident)
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)
