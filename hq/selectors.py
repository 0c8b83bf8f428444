"""Reads of the headquarters exchange; the scoping rule is the incident's."""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from incidents.models import Incident
from incidents.selectors import incident_scope

from .models import Report


def incident_visible(*, user: User, incident_id: int) -> Incident:
    return get_object_or_404(incident_scope(user), pk=incident_id)


def report_list(*, incident: Incident) -> QuerySet[Report]:
    return (
        Report.objects.filter(incident=incident)
        .select_related("prepared_by__profile", "approved_by__profile", "sent_by__profile")
        .prefetch_related("deliveries")
    )


def report_get(*, user: User, pk: int) -> Report:
    """A report of an incident the person may see (else 404)."""
    return get_object_or_404(
        Report.objects.filter(incident__in=incident_scope(user)).select_related("incident"),
        pk=pk,
    )
