from complaints.models import Complaint
from core.api.filters import AssigneeFilter, FilterSet, RecordIdFilter


class ComplaintFilter(FilterSet):
    incident = RecordIdFilter(field_name="incident_id", label="Incident (id)")
    assignee = AssigneeFilter(field_name="handler", label="Assignee (the handler)")

    class Meta:
        model = Complaint
        fields = [
            "state",
            "business_line",
            "channel",
            "severity",
            "escalation",
            "incident",
            "assignee",
        ]
