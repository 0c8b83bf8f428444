"""Writing comments: a comment on a record, its author's correction, and the people it
mentions told of it (``notifications``) once the comment is committed."""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict
from core.live import publish
from notifications.services import notify, translated

from . import records
from .models import COMMENT_MAX_LENGTH, Comment, CommentRevision

#: ``@username`` where a word does not go on (``a@b.cn`` is an address, not a mention);
#: Django's usernames are letters, digits and ``@.+-_``; a full stop ends a sentence.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*[\w+-])")


def mentioned_usernames(body: str) -> list[str]:
    """The usernames ``body`` mentions, each once, in the order written."""
    return list(dict.fromkeys(MENTION.findall(body)))


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something.")})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("A comment has at most %(limit)d characters (this one %(length)d).")
                % {"limit": COMMENT_MAX_LENGTH, "length": len(body)}
            }
        )
    return body


def _mentioned(body: str, record: Model) -> list[User]:
    """The people ``body`` mentions; refused, naming them, if one is nobody or may not see
    ``record`` (they would be told of a record they cannot open)."""
    names = mentioned_usernames(body)
    if not names:
        return []
    people = {user.username: user for user in User.objects.filter(username__in=names)}
    unknown = [name for name in names if name not in people or not people[name].is_active]
    if unknown:
        raise ValidationError(
            {
                "body": _("No one has the username %(names)s.")
                % {"names": ", ".join(f"@{name}" for name in unknown)}
            }
        )
    kind = records.kind_of(record)
    blind = [name for name in names if not kind.scope(people[name]).filter(pk=record.pk).exists()]
    if blind:
        raise ValidationError(
            {
                "body": _("%(names)s may not see this %(kind)s, so cannot be mentioned.")
                % {"names": ", ".join(f"@{name}" for name in blind), "kind": kind.label}
            }
        )
    return [people[name] for name in names]


def _tell_mentioned(comment: Comment, record: Model, people: list[User]) -> None:
    notify(
        recipients=[person for person in people if person.pk != comment.author_id],
        kind="comment.mention",
        subject=translated(
            gettext_lazy("%(author)s mentioned you on %(record)s"),
            {
                "author": comment.author.get_full_name() or comment.author.username,
                "record": record,
            },
        ),
        body=comment.body,
        link=comment_link(comment, record),
        dedupe_key=f"comment:{comment.pk}:mention",
    )


#: the kinds whose own page shows their discussion (``{% discussion record %}`` in its
#: template); another kind's comments are read on its discussion page (an action item is a
#: row of its incident's page, a submission a version on it)
SHOWN_ON_THEIR_PAGE = frozenset({"incident", "complaint", "violation"})


def comment_link(comment: Comment, record: Model) -> str:
    """Where a comment is read: on its record's page, or on the record's discussion page."""
    if comment.record_kind in SHOWN_ON_THEIR_PAGE:
        page = records.kind_of(record).url(record).partition("#")[0]
    else:
        page = reverse("collaboration:comments", args=[comment.record_kind, comment.record_id])
    return f"{page}#comment-{comment.pk}"


def _record_visible(actor: User, record: Model) -> None:
    if not records.visible(actor, record):
        raise PermissionDenied(_("You may not see this record."))


@transaction.atomic
def comment_create(*, record: Model, author: User, body: str) -> Comment:
    """A comment by ``author`` (who may see ``record``) on ``record``; the people it mentions
    are notified, and the record's open pages re-read, once it is committed."""
    kind = records.kind_of(record)
    _record_visible(author, record)
    body = _clean_body(body)
    people = _mentioned(body, record)
    comment = Comment.objects.create(
        record_kind=kind.code, record_id=record.pk, author=author, body=body
    )
    comment.mentions.set(people)
    _tell_mentioned(comment, record, people)
    publish(kind.topics(record))
    return comment


def comment_editable_until(comment: Comment):
    return comment.created_at + timedelta(minutes=settings.COMMENT_EDIT_MINUTES)


def comment_may_edit(comment: Comment, user: User, now=None) -> bool:
    return comment.author_id == user.pk and (now or timezone.now()) <= comment_editable_until(
        comment
    )


@transaction.atomic
def comment_edit(*, comment_id: int, actor: User, body: str) -> Comment:
    """The author's correction of their comment, within ``COMMENT_EDIT_MINUTES`` of writing
    it; the text it replaces is kept. People newly mentioned are notified; nobody is told
    twice. Holds the comment's row lock (``SELECT … FOR UPDATE``) to the commit, so two
    corrections at once apply one after the other."""
    comment = Comment.objects.select_for_update().select_related("author").get(pk=comment_id)
    record = comment_record(comment)
    _record_visible(actor, record)
    if comment.author_id != actor.pk:
        raise PermissionDenied(_("Only its author may edit a comment."))
    if timezone.now() > comment_editable_until(comment):
        raise Conflict(
            _("A comment can be edited for %(minutes)d minutes after it is written.")
            % {"minutes": settings.COMMENT_EDIT_MINUTES},
            code="edit_window_closed",
        )
    body = _clean_body(body)
    if body == comment.body:
        return comment
    people = _mentioned(body, record)
    CommentRevision.objects.create(comment=comment, body=comment.body)
    comment.body, comment.edited_at = body, timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    known = set(comment.mentions.values_list("pk", flat=True))
    comment.mentions.add(*people)
    new = [person for person in people if person.pk not in known]
    _tell_mentioned(comment, record, new)  # nobody is told twice of one comment
    publish(records.kind_of(record).topics(record))
    return comment


def comment_record(comment: Comment) -> Model:
    kind = records.kind(comment.record_kind)
    return kind.model._default_manager.get(pk=comment.record_id)
