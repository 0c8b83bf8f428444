"""Housekeeping of core's own rows: the answers kept for idempotent retries."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from .models import IdempotencyRecord

PRUNE_BATCH = 5000


def idempotency_records_prune(*, now: datetime | None = None, batch: int = PRUNE_BATCH) -> int:
    """Delete the answers kept for ``Idempotency-Key`` retries once they are older than
    settings.IDEMPOTENCY_RETENTION (a retry after that is a fresh request); how many.

    Deletes in batches of ``batch`` rows, each its own short statement (index
    ``idempotency_created``), so that a backlog never holds a long lock; running it twice
    deletes nothing the second time."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_RETENTION
    expired = IdempotencyRecord.objects.filter(created_at__lt=cutoff).order_by("created_at")
    deleted = 0
    while ids := list(expired.values_list("pk", flat=True)[:batch]):
        deleted += IdempotencyRecord.objects.filter(pk__in=ids).delete()[0]
        if len(ids) < batch:
            break
    return deleted
