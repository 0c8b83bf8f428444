"""Housekeeping of core's own rows: the answers kept for idempotent retries, the changes
told to open pages."""

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .live import EVERYTHING
from .models import IdempotencyRecord, LiveChange

PRUNE_BATCH = 5000


def _prune(expired: QuerySet, batch: int) -> int:
    """Delete ``expired`` (ordered along an index) in batches of ``batch`` rows, each its
    own short statement, so that a backlog never holds a long lock; how many."""
    deleted = 0
    while ids := list(expired.values_list("pk", flat=True)[:batch]):
        deleted += expired.model.objects.filter(pk__in=ids).delete()[0]
        if len(ids) < batch:
            break
    return deleted


def idempotency_records_prune(*, now: datetime | None = None, batch: int = PRUNE_BATCH) -> int:
    """Delete the answers kept for ``Idempotency-Key`` retries once they are older than
    settings.IDEMPOTENCY_RETENTION (a retry after that is a fresh request); how many.
    Index ``idempotency_created``; running it twice deletes nothing the second time."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_RETENTION
    return _prune(
        IdempotencyRecord.objects.filter(created_at__lt=cutoff).order_by("created_at"), batch
    )


def live_changes_prune(*, now: datetime | None = None, batch: int = PRUNE_BATCH) -> int:
    """Delete the changes told to open pages once they are older than
    settings.LIVE_RETENTION; the last of them stays, as EVERYTHING: a page that has not heard
    from the log since before it reads everything again when it reconnects (``core.live``)."""
    cutoff = (now or timezone.now()) - settings.LIVE_RETENTION
    expired = LiveChange.objects.filter(at__lt=cutoff)
    last = expired.order_by("-id").values_list("id", flat=True).first()
    if last is None:
        return 0
    LiveChange.objects.filter(pk=last).update(topics=[EVERYTHING])
    return _prune(expired.exclude(pk=last).order_by("at"), batch)
