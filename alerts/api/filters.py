import django_filters

from alerts.models import Alert
from incidents.api.filters import RecordIdFilter


class AlertFilter(django_filters.FilterSet):
    incident = RecordIdFilter(field_name="incident_id", label="Incident (id)")

    class Meta:
        model = Alert
        fields = ["level", "incident"]
