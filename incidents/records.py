"""The incident records people work on together (``collaboration.records``)."""

from django.utils.translation import gettext_lazy as _

from collaboration.records import RecordKind, register

from .models import ActionItem, Incident, Submission
from .selectors import (
    action_item_scope,
    action_items_assigned,
    incident_scope,
    incidents_assigned,
)


def _submission_scope(user):
    return Submission.objects.filter(incident__in=incident_scope(user))


def register_records() -> None:
    register(
        RecordKind(
            "incident",
            Incident,
            _("incident"),
            incident_scope,
            Incident.get_absolute_url,
            lambda incident: [f"incident:{incident.pk}"],
            incidents_assigned,
        )
    )
    register(
        RecordKind(
            "action_item",
            ActionItem,
            _("action item"),
            action_item_scope,
            ActionItem.get_absolute_url,
            lambda item: [f"incident:{item.incident_id}"],
            action_items_assigned,
        )
    )
    register(
        RecordKind(
            "submission",
            Submission,
            _("submission"),
            _submission_scope,
            lambda submission: submission.incident.get_absolute_url(),
            lambda submission: [f"incident:{submission.incident_id}"],
        )
    )
