"""The HQ mailbox: HQ's warnings that arrive as e-mail, taken in by polling IMAP
(``HQ_IMAP_*`` settings; a beat task every minute).

Subject format (documented in the README): ``[HQ <reference> <level>] <title>``, where the
level is ``level1`` / ``level2`` / ``sensitive`` or 一级预警 / 二级预警 / 敏感信息, e.g.
``[HQ ZB-2026-0417 level1] 全网短信业务异常``. The body (plain text) is the warning's text, the
``Date`` header the time HQ sent it, the first attachment is kept with the message.

A message is marked seen only after its incident has committed: a crash before that leaves
it unseen, and the next poll takes it again (the HQ reference makes that harmless)."""

import contextlib
import email
import imaplib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from .choices import Intake

log = logging.getLogger(__name__)

SUBJECT = re.compile(r"^\s*\[HQ\s+(?P<reference>[^\]\s]+)\s+(?P<level>[^\]\s]+)\]\s*(?P<title>.+)$")
LEVELS = {
    "level1": "level1",
    "一级预警": "level1",
    "一级": "level1",
    "level2": "level2",
    "二级预警": "level2",
    "二级": "level2",
    "sensitive": "sensitive",
    "敏感信息": "sensitive",
    "敏感": "sensitive",
}


class MessageUnreadable(ValueError):
    """The message is not an HQ warning in the documented format."""


@dataclass
class ParsedWarning:
    reference: str
    level: str
    title: str
    text: str
    sent_at: datetime
    attachment_name: str = ""
    attachment_type: str = ""
    attachment: bytes = b""


def message_parse(raw: bytes) -> ParsedWarning:
    """The warning an e-mail carries (no I/O)."""
    message = email.message_from_bytes(raw, policy=policy.default)
    subject = " ".join(str(message.get("subject", "")).split())
    match = SUBJECT.match(subject)
    if match is None:
        raise MessageUnreadable(f"the subject is not “[HQ <reference> <level>] <title>”: {subject}")
    level = LEVELS.get(match["level"].lower())
    if level is None:
        raise MessageUnreadable(f"unknown level {match['level']!r}")
    try:
        sent_at = parsedate_to_datetime(str(message["date"]))
    except (TypeError, ValueError):
        sent_at = None
    if sent_at is None or timezone.is_naive(sent_at):
        raise MessageUnreadable("the message has no Date with a time zone")
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content().strip() if body is not None else ""
    warning = ParsedWarning(
        reference=match["reference"], level=level, title=match["title"].strip(), text=text,
        sent_at=sent_at,
    )  # fmt: skip
    for part in message.iter_attachments():
        warning.attachment_name = part.get_filename() or "attachment"
        warning.attachment_type = part.get_content_type()
        payload = part.get_payload(decode=True)
        warning.attachment = payload if isinstance(payload, bytes) else b""
        break
    return warning


def _connect() -> imaplib.IMAP4:
    host, port = settings.HQ_IMAP_HOST, settings.HQ_IMAP_PORT
    timeout = settings.OUTBOUND_TIMEOUT
    if settings.HQ_IMAP_SSL:
        return imaplib.IMAP4_SSL(host, port, timeout=timeout)
    return imaplib.IMAP4(host, port, timeout=timeout)


def mailbox_poll() -> int:
    """Take in the mailbox's unseen warnings; returns how many incidents were raised. Not
    configured (no ``HQ_IMAP_HOST``): nothing to do."""
    from .services import hq_warning_receive

    if not settings.HQ_IMAP_HOST:
        return 0
    raised = 0
    imap = _connect()
    try:
        imap.login(settings.HQ_IMAP_USER, settings.HQ_IMAP_PASSWORD)
        imap.select(settings.HQ_IMAP_FOLDER)
        _status, found = imap.search(None, "UNSEEN")
        for number in (found[0] or b"").decode().split():
            _status, data = imap.fetch(number, "(BODY.PEEK[])")
            raw = next((item[1] for item in data if isinstance(item, tuple)), b"")
            try:
                parsed = message_parse(raw)
                _warning, created = hq_warning_receive(
                    reference=parsed.reference,
                    level=parsed.level,
                    title=parsed.title,
                    text=parsed.text,
                    sent_at=parsed.sent_at,
                    raw=raw,
                    intake=Intake.MAILBOX,
                    attachment_name=parsed.attachment_name,
                    attachment_type=parsed.attachment_type,
                    attachment=parsed.attachment,
                )
            except (MessageUnreadable, ValidationError) as error:
                # left unseen, for a person to read in the mailbox
                log.warning("HQ mailbox message %s not taken in: %s", number, error)
                continue
            # committed (hq_warning_receive is atomic): only now is the message seen
            imap.store(number, "+FLAGS", "(\\Seen)")
            raised += int(created)
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            imap.logout()
    return raised
