"""Reading attachments: always through the scoping of the record they belong to."""

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404

from .models import Attachment
from .records import kind, kind_of


def attachment_list(*, record: Model) -> QuerySet[Attachment]:
    """The files attached to ``record``, oldest first (the caller has checked that the
    person may see the record)."""
    return Attachment.objects.filter(
        record_kind=kind_of(record).code, record_id=record.pk
    ).select_related("uploaded_by__profile")


def record_get(*, user: Any, code: str, pk: Any) -> Model:
    """The record of kind ``code`` and id ``pk`` if ``user`` may see it; 404 otherwise (an
    unknown kind, an id that is not one, a record outside their scope alike)."""
    try:
        record_kind = kind(code)
        key = int(pk)
    except (LookupError, ValueError, TypeError) as error:
        raise Http404 from error
    record = record_kind.scope(user).filter(pk=key).first() if 0 < key < 2**63 else None
    if record is None:
        raise Http404
    return record


def attachment_get(*, user: Any, pk: Any) -> tuple[Attachment, Model]:
    """The attachment ``pk`` and its record, if ``user`` may see the record; 404 otherwise."""
    try:
        key = int(pk)
    except (ValueError, TypeError) as error:
        raise Http404 from error
    attachment = Attachment.objects.filter(pk=key).first() if 0 < key < 2**63 else None
    if attachment is None:
        raise Http404
    record = record_get(user=user, code=attachment.record_kind, pk=attachment.record_id)
    return attachment, record
