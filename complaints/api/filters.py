import django_filters

from complaints.models import Complaint
from complaints.selectors import complaints_search
from core.api.filters import AssigneeFilter, FilterSet, RecordIdFilter


class ComplaintFilter(FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label="Search: the number (or its beginning), the customer's full phone number or "
        "account, or two characters or more of the customer's name, the summary or the details",
    )
    incident = RecordIdFilter(field_name="incident_id", label="Incident (id)")
    assignee = AssigneeFilter(field_name="handler", label="Assignee (the handler)")

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
            "assignee",
        ]

    def filter_q(self, queryset, name, value):
        return complaints_search(queryset, value)
