"""Reading comments, scoped as the records they are on: a person reads the comments of the
records they may see (``collaboration.records``), nothing else."""

from django.contrib.auth.models import User
from django.db.models import Count, F, Model, Q, QuerySet

from . import records
from .models import Comment

#: the people offered for a mention: looked at in this number at most (each needs its own
#: scoping query), the most recently signed in first
MENTIONABLE_LOOKED_AT = 300


class NotVisible(LookupError):
    """No such record, or one the reader may not see (the same answer: a 404)."""


def record_get(*, user: User, kind_code: str, record_id: int) -> Model:
    """The record ``kind_code``/``record_id`` if ``user`` may see it; else :class:`NotVisible`."""
    try:
        kind = records.kind(kind_code)
    except LookupError:
        raise NotVisible(kind_code) from None
    record = kind.scope(user).filter(pk=record_id).first()
    if record is None:
        raise NotVisible(f"{kind_code}:{record_id}")
    return record


def comment_list(*, record: Model) -> QuerySet[Comment]:
    """A record's comments, oldest first, with their authors and how often each was edited."""
    return (
        Comment.objects.filter(record_kind=records.kind_of(record).code, record_id=record.pk)
        .select_related("author")
        .annotate(revision_count=Count("revisions"))
        .order_by("created_at", "id")
    )


def comment_get(*, user: User, comment_id: int) -> tuple[Comment, Model]:
    """A comment and its record, if ``user`` may see the record; else :class:`NotVisible`."""
    comment = Comment.objects.select_related("author").filter(pk=comment_id).first()
    if comment is None:
        raise NotVisible(str(comment_id))
    return comment, record_get(
        user=user, kind_code=comment.record_kind, record_id=comment.record_id
    )


def mentionable_people(*, record: Model, query: str = "", limit: int = 20) -> list[User]:
    """Active people who may see ``record`` (so may be mentioned on it), matching ``query``
    in their username or name."""
    kind = records.kind_of(record)
    people = User.objects.filter(is_active=True).order_by(
        F("last_login").desc(nulls_last=True), "username"
    )
    if query:
        people = people.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    found = []
    for person in people[:MENTIONABLE_LOOKED_AT]:
        if kind.scope(person).filter(pk=record.pk).exists():
            found.append(person)
            if len(found) >= limit:
                break
    return found
