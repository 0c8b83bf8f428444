"""Celery tasks of notifications: thin; the claim in `delivery_send` makes them idempotent."""

from celery import shared_task

from .services import deliveries_dispatch, deliveries_prune, deliveries_sweep, delivery_send


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def deliver_task(delivery_id: int) -> str | None:
    return delivery_send(delivery_id=delivery_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def dispatch_deliveries_task(delivery_ids: list[int]) -> None:
    """A batch written at once (a breach storm, an alert to many): one task each."""
    deliveries_dispatch(delivery_ids)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=300)
def sweep_deliveries_task() -> dict[str, int]:
    """Send pending deliveries the broker never carried and retries that are due."""
    return deliveries_sweep()


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=300)
def prune_deliveries_task() -> int:
    """Forget deliveries sent longer ago than their retention (the default queue)."""
    return deliveries_prune()
