import django_filters
from django.db.models import Q

from complaints.models import ESCALATED, Complaint
from complaints.selectors import complaints_search
from core.api.filters import AssigneeFilter, FilterSet, RecordIdFilter, YesNoFilter
from deadlines.models import overdue_records


class ComplaintFilter(FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label="Search: the number (or its beginning), the customer's full phone number or "
        "account, or two characters or more of the customer's name, the summary or the details",
    )
    incident = RecordIdFilter(field_name="incident_id", label="Incident (id)")
    assignee = AssigneeFilter(field_name="handler", label="Assignee (the handler)")
    department = django_filters.CharFilter(
        method="filter_department",
        label="Department (code): the handling department, else the first-ask department",
    )
    city = django_filters.CharFilter(field_name="city__code", label="City (code)")
    escalated = YesNoFilter(method="filter_escalated", label="Escalated beyond the hotline")
    overdue = YesNoFilter(method="filter_overdue", label="With a deadline missed and not done")

    class Meta:
        model = Complaint
        fields = [
            "q",
            "state",
            "business_line",
            "channel",
            "severity",
            "escalation",
            "incident",
            "department",
            "city",
            "escalated",
            "overdue",
            "assignee",
        ]

    def filter_q(self, queryset, name, value):
        return complaints_search(queryset, value)

    def filter_department(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(department__code=value) | Q(department__isnull=True, first_ask_department__code=value)
        )

    def filter_escalated(self, queryset, name, value):
        return queryset.filter(ESCALATED) if value else queryset.exclude(ESCALATED)

    def filter_overdue(self, queryset, name, value):
        overdue = overdue_records(Complaint)
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)
