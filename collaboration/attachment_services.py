"""Attaching files to records (``collaboration.records``): one use case, one function.

The bytes go to the ``attachments`` storage first, under a random name, and the row is
written after them in the same transaction; a failure on the way removes the stored bytes
again, so that no row points at a missing file and no upload is half kept."""

import hashlib
import logging
import posixpath
import unicodedata
import uuid
from datetime import timedelta
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from core import live

from .attachment_signals import attachment_added
from .models import Attachment
from .records import kind_of, visible

log = logging.getLogger(__name__)

#: bytes read to tell a file's type (an Office document names its parts near the start)
SNIFF_BYTES = 64 * 1024
_CHUNK = 256 * 1024
#: a file name is kept as given, within the column's length
NAME_MAX = 255
#: bytes without a row are removed once this old (their upload's transaction rolled back
#: after they were written: a request's outer transaction, say); a younger one may be in an
#: open transaction still
ORPHAN_GRACE = timedelta(hours=1)


class TooLarge(ValidationError):
    """The file is larger than ``ATTACHMENT_MAX_BYTES`` (the API answers 413)."""


def attachment_storage() -> Storage:
    return storages["attachments"]


def content_type_sniff(head: bytes, name: str) -> str:
    """What the bytes are (their magic numbers), whatever the client declared; text that
    has no magic number is text if it decodes (UTF-8 or GB 18030, as Chinese systems write
    it) and holds no control characters; CSV by its name once it is text."""
    kind = filetype.guess(head) if head else None
    if kind is not None:
        return kind.mime
    if head and _is_text(head):
        return "text/csv" if name.lower().endswith(".csv") else "text/plain"
    return "application/octet-stream"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as error:
            # the head may end inside a character
            if error.start < len(head) - 4:
                continue
            text = head[: error.start].decode(encoding)
        return not any(
            unicodedata.category(char) == "Cc" and char not in "\t\n\r\f" for char in text
        )
    return False


def _clean_name(name: str) -> str:
    """The file's own name, without any folder the client sent, within the column."""
    name = posixpath.basename((name or "").replace("\\", "/")).strip()
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    if not name:
        name = _("file")
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        keep = NAME_MAX - len(ext) - 1 if dot and len(ext) < 16 else NAME_MAX
        name = f"{stem[:keep]}.{ext}" if dot and len(ext) < 16 else name[:NAME_MAX]
    return name


def attachment_add(*, record: Model, actor: Any, file: IO[bytes], name: str) -> Attachment:
    """Attach ``file`` (an uploaded file: readable, with ``size``) to ``record`` as ``actor``,
    who must see the record (its kind's scoping).

    Refused with a ``ValidationError`` on ``file``: larger than ``ATTACHMENT_MAX_BYTES``
    (:class:`TooLarge`), empty, or of a type not in ``ATTACHMENT_TYPES`` as its bytes show.
    The bytes are stored, then the row written; if anything fails before the transaction
    commits, the stored bytes are removed (here when it fails inside this function; by
    :func:`attachment_orphans_prune` when an outer transaction rolls back later)."""
    kind = kind_of(record)
    if not visible(actor, record):
        raise PermissionDenied
    size = getattr(file, "size", None)
    limit = settings.ATTACHMENT_MAX_BYTES
    if size is not None and size > limit:
        raise _too_large(limit)
    if size == 0:
        raise ValidationError({"file": ValidationError(_("The file is empty."), code="empty")})
    name = _clean_name(name)
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    content_type = content_type_sniff(head, name)
    if content_type not in settings.ATTACHMENT_TYPES:
        message = _(
            "Files of this type cannot be attached. Accepted: PDF, pictures, Word, Excel, "
            "PowerPoint, text, CSV and ZIP."
        )
        raise ValidationError({"file": ValidationError(message, code="type")})
    file.seek(0)
    storage = attachment_storage()
    key = f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"
    stored_as, digest, written = _store(storage, key, file, limit)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                record_kind=kind.code,
                record_id=record.pk,
                name=name,
                content_type=content_type,
                size=written,
                sha256=digest,
                stored_as=stored_as,
                uploaded_by=actor,
            )
            attachment_added.send(sender=Attachment, attachment=attachment, record=record)
            live.publish(kind.topics(record))
    except BaseException:
        _remove(storage, stored_as)
        raise
    return attachment


def _too_large(limit: int) -> TooLarge:
    message = _("The file is larger than %(limit)s.") % {
        "limit": filesizeformat(limit).replace("\xa0", " ")
    }
    return TooLarge({"file": ValidationError(message, code="too_large")})


def _store(storage: Storage, key: str, file: IO[bytes], limit: int) -> tuple[str, str, int]:
    """Write ``file`` under ``key``; its SHA-256 and size as written. A file that turns out
    larger than the limit while read (its declared size was wrong) is removed and refused."""
    digest = hashlib.sha256()
    written = 0
    chunks = iter(lambda: file.read(_CHUNK), b"")
    for chunk in chunks:
        digest.update(chunk)
        written += len(chunk)
    if written > limit:
        raise _too_large(limit)
    file.seek(0)
    stored_as = storage.save(key, file)
    return stored_as, digest.hexdigest(), written


def _remove(storage: Storage, stored_as: str) -> None:
    try:
        storage.delete(stored_as)
    except Exception:  # the bytes without a row are harmless, only space
        log.exception("Could not remove the stored attachment %s", stored_as)


def attachment_orphans_prune(*, older_than: timedelta = ORPHAN_GRACE) -> int:
    """Remove stored bytes that no attachment row names, stored more than ``older_than``
    ago: those of an upload whose outer transaction rolled back after the bytes were
    written (a younger file's transaction may still be open). Returns how many went."""
    storage = attachment_storage()
    cutoff = timezone.now() - older_than
    removed = 0
    folders, _files = storage.listdir("")
    for folder in folders:
        _none, names = storage.listdir(folder)
        keys = {f"{folder}/{name}" for name in names}
        known = set(
            Attachment.objects.filter(stored_as__in=keys).values_list("stored_as", flat=True)
        )
        for key in sorted(keys - known):
            if storage.get_modified_time(key) < cutoff:
                _remove(storage, key)
                removed += 1
    return removed
