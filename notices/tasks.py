"""Celery tasks of SMS broadcasts (the deliveries queue): thin; the per-message claim in
``broadcast_send_batch`` makes a redelivered task send nothing twice."""

from celery import shared_task

from .services import broadcast_send_batch, broadcasts_sweep


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=300, time_limit=330)
def send_broadcast_batch_task(broadcast_id: int, not_before: float | None = None) -> dict:
    return broadcast_send_batch(broadcast_id=broadcast_id, not_before=not_before)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=150)
def sweep_broadcasts_task() -> dict[str, int]:
    """Resume broadcasts a dead worker left, never resending a message it may have sent."""
    return broadcasts_sweep()
