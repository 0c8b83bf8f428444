from alerts.models import Alert
from core.api.filters import FilterSet, RecordIdFilter


class AlertFilter(FilterSet):
    incident = RecordIdFilter(field_name="incident_id", label="Incident (id)")

    class Meta:
        model = Alert
        fields = ["level", "incident"]
