"""Celery tasks of the deadline clock: thin, idempotent, backed by the sweep itself."""

from celery import shared_task
from django.conf import settings

from .services import SWEEP_BATCH, breaches_announce, deadlines_reschedule_unknown, deadlines_sweep


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=180)
def sweep_deadlines_task() -> dict[str, int]:
    """Breach due deadlines and send due reminders (every 30 s by default, see
    ``CELERY_BEAT_SCHEDULE``); a storm's backlog of breaches is announced by
    ``DEADLINE_ANNOUNCERS`` processes together."""
    return deadlines_sweep(share=_announce_beside if settings.DEADLINE_ANNOUNCERS > 1 else None)


def _announce_beside(backlog: int) -> None:
    """The other announcers, one per batch of the backlog beyond the sweep's first, up to
    ``DEADLINE_ANNOUNCERS - 1``: each takes the deadlines queue's next free process."""
    for _ in range(min(settings.DEADLINE_ANNOUNCERS - 1, backlog // SWEEP_BATCH)):
        announce_breaches_task.delay()


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=180)
def announce_breaches_task() -> int:
    """Announce breaches beside the sweep that found a backlog, until none is left."""
    return breaches_announce()


@shared_task(acks_late=True, ignore_result=True)
def reschedule_deadlines_task() -> int:
    """Give due times to deadlines that waited for a calendar year an admin has now filled."""
    return deadlines_reschedule_unknown()
