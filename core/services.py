"""Housekeeping of core's own rows: the answers kept for idempotent retries, the changes
told to open pages; people's saved views of the lists."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import Conflict
from .lists import list_get, query_normalise
from .live import EVERYTHING
from .models import IdempotencyRecord, LiveChange, SavedView

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


def _saved_view_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if len(name) > (SavedView._meta.get_field("name").max_length or 0):
        raise ValidationError({"name": _("The name is too long.")})
    return name


def _saved_view_unique(*, user, list_name: str, name: str, exclude: int | None = None) -> None:
    same = SavedView.objects.filter(user=user, list_name=list_name, name=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():  # as a second record of one external id: a conflict with what exists
        raise Conflict(
            str(_("You already have a view of this list by that name.")), code="duplicate_name"
        )


@transaction.atomic
def saved_view_create(*, user, list_name: str, name: str, query: str) -> SavedView:
    """Save the filters ``query`` of the list ``list_name`` as ``user``'s view ``name``; only
    the list's own filter parameters are kept (:func:`core.lists.query_normalise`)."""
    if list_get(list_name) is None:
        raise ValidationError({"list_name": _("No such list.")})
    name = _saved_view_name(name)
    query = query_normalise(list_name, query)
    if len(query) > (SavedView._meta.get_field("query").max_length or 0):
        raise ValidationError({"query": _("Too many filters to save.")})
    _saved_view_unique(user=user, list_name=list_name, name=name)
    return SavedView.objects.create(user=user, list_name=list_name, name=name, query=query)


@transaction.atomic
def saved_view_rename(*, user, view_id: int, name: str) -> SavedView:
    """Rename one of ``user``'s views (another person's is not found)."""
    view = SavedView.objects.select_for_update().filter(user=user, pk=view_id).first()
    if view is None:
        raise SavedView.DoesNotExist
    view.name = _saved_view_name(name)
    _saved_view_unique(user=user, list_name=view.list_name, name=view.name, exclude=view.pk)
    view.save(update_fields=["name"])
    return view


def saved_view_delete(*, user, view_id: int) -> None:
    """Delete one of ``user``'s views (another person's is not found)."""
    if not SavedView.objects.filter(user=user, pk=view_id).delete()[0]:
        raise SavedView.DoesNotExist
