"""Celery tasks of the deadline clock: thin, idempotent, backed by the sweep itself."""

from celery import shared_task

from .services import deadlines_reschedule_unknown, deadlines_sweep


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=180)
def sweep_deadlines_task() -> dict[str, int]:
    """Breach due deadlines and send due reminders (every 30 s by default, see
    ``CELERY_BEAT_SCHEDULE``)."""
    return deadlines_sweep()


@shared_task(acks_late=True, ignore_result=True)
def reschedule_deadlines_task() -> int:
    """Give due times to deadlines that waited for a calendar year an admin has now filled."""
    return deadlines_reschedule_unknown()
