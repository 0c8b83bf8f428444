"""Celery tasks of planned work (the default queue): thin calls into the services."""

from celery import shared_task

from .services import planned_work_overruns_sweep


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=150)
def sweep_planned_work_overruns_task() -> int:
    """Approved work left undone past its window: its complaints count from then on."""
    return planned_work_overruns_sweep()
