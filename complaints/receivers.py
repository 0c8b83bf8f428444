"""What complaints do when the deadline clock announces something (say it on the complaint's
own timeline) and when planned work overruns its window (its complaints count after all)."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.dispatch import receiver

from collaboration.attachment_signals import attachment_added
from core.bulk import rows_insert
from deadlines.models import Deadline
from deadlines.signals import deadlines_breached, due_times_set
from maintenance.signals import planned_work_overran

from .live import complaints_told
from .models import Complaint, ComplaintEvent


def _complaints(deadlines: Sequence[Deadline]) -> list[Deadline]:
    return [d for d in deadlines if d.content_type.model_class() is Complaint]


@receiver(deadlines_breached, dispatch_uid="complaints.on_breaches")
def on_breaches(sender, deadlines: list[Deadline], **kwargs) -> None:
    """A breach of the complaint's deadlines on its timeline (a storm's batch written as a
    set, as the incidents' lines are)."""
    complaints_told(deadline.object_id for deadline in _complaints(deadlines))
    rows_insert(
        [
            ComplaintEvent(
                complaint_id=deadline.object_id,
                kind=ComplaintEvent.Kind.DEADLINE,
                action=deadline.kind,
                payload=deadline.breach_payload(),
            )
            for deadline in _complaints(deadlines)
        ]
    )


@receiver(due_times_set, dispatch_uid="complaints.on_due_times")
def on_due_times(sender, deadlines: Sequence[Deadline], year: int, actor: User | None, **kwargs):
    complaints_told(deadline.object_id for deadline in _complaints(deadlines))
    ComplaintEvent.objects.bulk_create(
        ComplaintEvent(
            complaint_id=deadline.object_id,
            actor=actor,
            kind=ComplaintEvent.Kind.DUE_TIME,
            action=deadline.kind,
            payload=deadline.due_time_payload(year),
        )
        for deadline in _complaints(deadlines)
    )


@receiver(attachment_added, dispatch_uid="complaints.on_attachment")
def on_attachment(sender, attachment, record, **kwargs) -> None:
    """A file attached to the complaint, on its timeline."""
    if isinstance(record, Complaint):
        ComplaintEvent.objects.create(
            complaint=record,
            kind=ComplaintEvent.Kind.ATTACHMENT,
            actor=attachment.uploaded_by,
            at=attachment.uploaded_at,
            action=attachment.record_kind,
            payload={"name": attachment.name, "attachment": attachment.pk},
        )


@receiver(planned_work_overran, dispatch_uid="complaints.on_planned_work_overran")
def on_planned_work_overran(sender, work, **kwargs) -> None:
    """The complaints announced work explained count after all once it overran its window."""
    from .services import complaints_count_overrun

    complaints_count_overrun(work=work)
