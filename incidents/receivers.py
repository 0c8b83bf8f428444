"""What incidents do when the deadline clock announces something: say it on the timelines
people follow (the incident's or complaint's own, or the incident an action item belongs to)."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db.models import Model, prefetch_related_objects
from django.dispatch import receiver

from deadlines.models import Deadline
from deadlines.signals import deadlines_breached, due_times_set

from .models import ActionItem, Complaint, Incident, TimelineEvent


@receiver(deadlines_breached, dispatch_uid="incidents.on_breaches")
def on_breaches(sender, deadlines: list[Deadline], **kwargs) -> None:
    _record_breaches(deadlines)


@receiver(due_times_set, dispatch_uid="incidents.on_due_times")
def on_due_times(sender, deadlines: Sequence[Deadline], year: int, actor: User | None, **kwargs):
    _record_due_times(deadlines, year=year, actor=actor)


def _record_breaches(deadlines: list[Deadline]) -> None:
    """Write each breach where the people of the record look: the timeline of the incident, or
    of the incident whose action item it is."""
    item_ids = [d.object_id for d in deadlines if d.content_type.model_class() is ActionItem]
    item_incidents = dict(
        ActionItem.objects.filter(pk__in=item_ids).values_list("pk", "incident_id")
    )
    events = []
    for deadline in deadlines:
        model = deadline.content_type.model_class()
        payload: dict[str, object] = {
            "due_at": deadline.due_at.isoformat() if deadline.due_at else None
        }
        if model is Incident:
            incident_id = deadline.object_id
        elif model is ActionItem and deadline.object_id in item_incidents:
            incident_id = item_incidents[deadline.object_id]
            payload["action_item"] = deadline.object_id
        else:
            continue
        events.append(
            TimelineEvent(
                incident_id=incident_id,
                kind=TimelineEvent.Kind.DEADLINE,
                action=deadline.kind,
                payload=payload,
            )
        )
    TimelineEvent.objects.bulk_create(events)


def _timeline_of(deadline: Deadline) -> tuple[int | None, int | None]:
    """(incident id, complaint id) of the timeline where the deadline's record is followed:
    the incident or complaint itself, or the one the record belongs to (an action item's
    incident); (None, None) for records without a timeline."""
    model = deadline.content_type.model_class()
    if model is Incident:
        return deadline.object_id, None
    if model is Complaint:
        return None, deadline.object_id
    record: Model | None = deadline.record
    incident_id = getattr(record, "incident_id", None)
    if incident_id is not None:
        return incident_id, None
    return None, getattr(record, "complaint_id", None)


def _record_due_times(deadlines: Sequence[Deadline], *, year: int, actor: User | None) -> None:
    """Say on each deadline's timeline that it got its due time because ``year`` was
    confirmed (the deadline's name goes in both languages: readers read it in theirs)."""
    prefetch_related_objects(
        [d for d in deadlines if d.content_type.model_class() not in (Incident, Complaint)],
        "record",
    )
    events = []
    for deadline in deadlines:
        incident_id, complaint_id = _timeline_of(deadline)
        if incident_id is None and complaint_id is None:
            continue
        assert deadline.due_at is not None
        payload: dict[str, object] = {
            "due_at": deadline.due_at.isoformat(),
            "calendar_year": year,
            "name_zh": deadline.policy_snapshot.get("name_zh", ""),
            "name_en": deadline.policy_snapshot.get("name_en", ""),
        }
        model = deadline.content_type.model_class()
        if model not in (Incident, Complaint):
            payload["record"] = {"type": deadline.content_type.model, "id": deadline.object_id}
        events.append(
            TimelineEvent(
                incident_id=incident_id,
                complaint_id=complaint_id,
                actor=actor,
                kind=TimelineEvent.Kind.DUE_TIME,
                action=deadline.kind,
                payload=payload,
            )
        )
    TimelineEvent.objects.bulk_create(events)
