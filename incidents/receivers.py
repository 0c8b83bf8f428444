"""What incidents do when the deadline clock announces something: say it on the incident's
timeline (an incident's own deadlines, and those of records that belong to an incident, such
as its action items)."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db.models import prefetch_related_objects
from django.dispatch import receiver

from collaboration.attachment_signals import attachment_added
from core.bulk import rows_insert
from deadlines.models import Deadline
from deadlines.signals import deadlines_breached, due_times_set

from .live import incidents_told
from .models import ActionItem, Incident, Submission, TimelineEvent


def _incident_of(deadline: Deadline) -> int | None:
    """The incident whose timeline follows the deadline's record: the incident itself, or
    the one the record belongs to (its ``incident_id``); None for the others."""
    if deadline.content_type.model_class() is Incident:
        return deadline.object_id
    return getattr(deadline.record, "incident_id", None)


@receiver(deadlines_breached, dispatch_uid="incidents.on_breaches")
def on_breaches(sender, deadlines: list[Deadline], **kwargs) -> None:
    """A breach of the incident's own deadlines, or of its action items', on its timeline."""
    item_ids = [d.object_id for d in deadlines if d.content_type.model_class() is ActionItem]
    item_incidents = dict(
        ActionItem.objects.filter(pk__in=item_ids).values_list("pk", "incident_id")
    )
    events = []
    for deadline in deadlines:
        model = deadline.content_type.model_class()
        payload = deadline.breach_payload()
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
    rows_insert(events)
    incidents_told({event.incident_id for event in events})


@receiver(due_times_set, dispatch_uid="incidents.on_due_times")
def on_due_times(sender, deadlines: Sequence[Deadline], year: int, actor: User | None, **kwargs):
    """A due time set on the timeline of the incident the deadline's record is followed on."""
    prefetch_related_objects(
        [d for d in deadlines if d.content_type.model_class() is not Incident], "record"
    )
    events = []
    for deadline in deadlines:
        incident_id = _incident_of(deadline)
        if incident_id is None:
            continue
        payload = deadline.due_time_payload(year)
        if deadline.content_type.model_class() is not Incident:
            payload["record"] = {"type": deadline.content_type.model, "id": deadline.object_id}
        events.append(
            TimelineEvent(
                incident_id=incident_id,
                actor=actor,
                kind=TimelineEvent.Kind.DUE_TIME,
                action=deadline.kind,
                payload=payload,
            )
        )
    TimelineEvent.objects.bulk_create(events)
    incidents_told({event.incident_id for event in events})


@receiver(attachment_added, dispatch_uid="incidents.on_attachment")
def on_attachment(sender, attachment, record, **kwargs) -> None:
    """A file attached to the incident, to one of its action items or submissions, on the
    incident's timeline: which file, and to what."""
    if isinstance(record, Incident):
        incident_id, of = record.pk, ""
    elif isinstance(record, ActionItem):
        incident_id, of = record.incident_id, record.title
    elif isinstance(record, Submission):
        incident_id, of = record.incident_id, f"{record.get_kind_display()} v{record.version}"
    else:
        return
    TimelineEvent.objects.create(
        incident_id=incident_id,
        kind=TimelineEvent.Kind.ATTACHMENT,
        actor=attachment.uploaded_by,
        at=attachment.uploaded_at,
        action=attachment.record_kind,
        payload={"name": attachment.name, "of": of, "attachment": attachment.pk},
    )
