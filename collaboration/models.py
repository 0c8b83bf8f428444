"""The rows of the collaboration app: what people add to a record they work on together
(``collaboration.records``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- attachments ------------------------------------------------------------------------------


class Attachment(models.Model):
    """A file 附件 attached to one record (an incident, an action item, a submission, a
    complaint, a violation as its dispute's evidence). The bytes live in the ``attachments``
    storage under a random name (``stored_as``), never at a public URL: they are read through
    the record's scoping (``collaboration.attachment_views``). Its type is what the bytes
    are, not what the uploading client said. An attachment is never changed or deleted: it is
    part of the record's history."""

    record_kind = models.CharField(_("record kind"), max_length=30)
    record_id = models.PositiveBigIntegerField(_("record id"))
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_as = models.CharField(_("stored as"), max_length=255, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [
            models.Index(
                fields=["record_kind", "record_id", "uploaded_at", "id"],
                name="attachment_record",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


# --- comments ---------------------------------------------------------------------------------

#: the longest comment, in characters: a discussion, not a report (attach a file for more)
COMMENT_MAX_LENGTH = 4000


class Comment(models.Model):
    """A comment 评论 on one record (an incident, an action item, a complaint, a violation
    and its dispute), in plain text: escaped where shown, line breaks kept. Its author may
    correct it for ``COMMENT_EDIT_MINUTES`` after writing it; every earlier text is kept
    (:class:`CommentRevision`). A comment is never deleted."""

    record_kind = models.CharField(_("record kind"), max_length=30)
    record_id = models.PositiveBigIntegerField(_("record number"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="comments",
    )
    body = models.TextField(_("text"), max_length=COMMENT_MAX_LENGTH)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentioned"),
        related_name="comment_mentions",
        blank=True,
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(
                fields=["record_kind", "record_id", "created_at", "id"], name="comment_record"
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        """On its record's discussion page (the record's own page shows it too)."""
        from django.urls import reverse

        page = reverse("collaboration:comments", args=[self.record_kind, self.record_id])
        return f"{page}#comment-{self.pk}"


class CommentRevision(models.Model):
    """A comment's text before one edit: what it said, and until when."""

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="revisions"
    )
    body = models.TextField(_("text"))
    replaced_at = models.DateTimeField(_("replaced"), default=timezone.now)

    class Meta:
        ordering = ["comment", "replaced_at", "id"]
        verbose_name = _("earlier text of a comment")
        verbose_name_plural = _("earlier texts of comments")

    def __str__(self) -> str:
        return self.body[:60]
