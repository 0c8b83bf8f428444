"""Celery tasks: keep the dashboards' rollups current."""

from celery import shared_task

from .services import rollup_recent


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=300)
def rollup_recent_task(days: int = 2) -> int:
    """Recompute today and yesterday (every minute by default); a wider window hourly."""
    return len(rollup_recent(days))
