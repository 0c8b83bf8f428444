"""Celery tasks of core: thin; the services delete only what has expired, so a rerun is
harmless."""

from celery import shared_task

from .services import idempotency_records_prune, live_changes_prune


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=300)
def prune_idempotency_records_task() -> int:
    """Forget the answers kept for ``Idempotency-Key`` retries past their retention."""
    return idempotency_records_prune()


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=300)
def prune_live_changes_task() -> int:
    """Forget the changes told to open pages past their retention (embedded default)."""
    return live_changes_prune()
