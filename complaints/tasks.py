"""Celery tasks of complaints: thin, idempotent."""

from celery import shared_task

from .services import complaints_detect_mass


@shared_task(acks_late=True, ignore_result=True)
def detect_mass_complaints_task() -> int:
    """Cluster complaints that look like a mass event (every 15 s by default, see
    ``CELERY_BEAT_SCHEDULE``)."""
    return complaints_detect_mass()
