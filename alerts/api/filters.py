from alerts.models import Alert
from incidents.api.filters import RecordIdFilter
from organisation.api.filters import FilterSet


class AlertFilter(FilterSet):
    incident = RecordIdFilter(field_name="incident_id", label="Incident (id)")

    class Meta:
        model = Alert
        fields = ["level", "incident"]
