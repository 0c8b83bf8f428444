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
