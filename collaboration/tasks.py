"""Celery tasks of collaboration: thin; the service removes only bytes no row names, so a
rerun is harmless."""

from celery import shared_task

from .attachment_services import attachment_orphans_prune


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=300)
def prune_orphan_attachments_task() -> int:
    """Remove attachment bytes left without a row by an upload that was rolled back."""
    return attachment_orphans_prune()
