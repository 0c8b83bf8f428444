from complaints.models import Complaint
from core.api.filters import FilterSet, RecordIdFilter


class ComplaintFilter(FilterSet):
    incident = RecordIdFilter(field_name="incident_id", label="Incident (id)")

    class Meta:
        model = Complaint
        fields = ["state", "business_line", "channel", "severity", "escalation", "incident"]
