"""HQ's warnings that arrive as e-mail, polled from a real IMAP server over a socket
(tests/imap_server.py): taken in once per HQ reference, marked seen only after the incident
has committed, left unseen when the intake fails half-way."""

from datetime import datetime
from email.message import EmailMessage

import pytest
from django.contrib.auth.models import User

from hq import mailbox
from hq.models import HqWarning
from hq.tasks import poll_hq_mailbox_task
from incidents.models import Incident
from organisation.demo import seed_demo
from tests.imap_server import IMAPServer


def mail(
    reference="ZB-2026-0501", level="一级预警", title="全网彩信业务中断", attach=True
) -> bytes:
    message = EmailMessage()
    message["From"] = "warning@hq.example"
    message["To"] = "hq-inbox@fenghuo.example"
    message["Subject"] = f"[HQ {reference} {level}] {title}"
    message["Date"] = "Tue, 10 Mar 2026 09:00:00 +0800"
    message.set_content("总部通报：全网彩信业务中断，请立即核查。")
    if attach:
        message.add_attachment(
            b"%PDF-1.4 original", maintype="application", subtype="pdf", filename="notice.pdf"
        )
    return message.as_bytes()


@pytest.fixture
def imap(settings):
    with IMAPServer() as server:
        settings.HQ_IMAP_HOST = "127.0.0.1"
        settings.HQ_IMAP_PORT = server.port
        settings.HQ_IMAP_SSL = False
        settings.HQ_IMAP_USER = server.user
        settings.HQ_IMAP_PASSWORD = server.password
        settings.HQ_IMAP_FOLDER = "INBOX"
        yield server


# committed for real (the server's thread must see what committed), the shipped rows restored
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def province():
    seed_demo()
    return {user.username: user for user in User.objects.all()}


def test_the_subject_format_is_read():
    parsed = mailbox.message_parse(mail(level="sensitive"))
    assert (parsed.reference, parsed.level, parsed.title) == (
        "ZB-2026-0501",
        "sensitive",
        "全网彩信业务中断",
    )
    assert parsed.sent_at == datetime.fromisoformat("2026-03-10T09:00:00+08:00")
    assert parsed.attachment == b"%PDF-1.4 original"
    with pytest.raises(mailbox.MessageUnreadable):
        mailbox.message_parse(mail().replace(b"[HQ ZB-2026-0501", b"[FWD ZB-2026-0501"))


def test_unseen_warnings_become_incidents_once_and_are_seen_after_the_commit(province, imap):
    first = imap.add(mail())
    imap.add(mail())  # the same reference again (HQ resent it)
    committed_when_seen = []
    imap.on_store = lambda message: committed_when_seen.append(
        # the server's own thread and connection: it sees only what has committed
        HqWarning.objects.filter(reference="ZB-2026-0501").exists()
    )
    assert poll_hq_mailbox_task.delay().get() == 1
    assert committed_when_seen == [True, True]
    assert all(message.seen for message in imap.messages)
    incident = Incident.objects.get()
    assert incident.source == "hq" and incident.hq_level == "level1"
    warning = HqWarning.objects.get()
    assert bytes(warning.raw) == first.raw
    assert bytes(warning.attachment) == b"%PDF-1.4 original"
    assert warning.attachment_name == "notice.pdf"
    # nothing unseen: a second poll takes nothing in
    assert poll_hq_mailbox_task.delay().get() == 0
    assert Incident.objects.count() == 1


def test_a_crash_half_way_leaves_the_message_unseen(province, imap, monkeypatch):
    imap.add(mail())
    from hq import services

    def crash(**kwargs):
        raise RuntimeError("the worker died")

    monkeypatch.setattr(services, "hq_warning_receive", crash)
    with pytest.raises(RuntimeError):
        mailbox.mailbox_poll()
    assert not imap.messages[0].seen
    assert not Incident.objects.exists()
    monkeypatch.undo()
    assert mailbox.mailbox_poll() == 1
    assert imap.messages[0].seen


def test_a_message_not_in_the_format_is_left_for_a_person(province, imap):
    imap.add(mail().replace(b"[HQ ZB-2026-0501 ", b"[HQ ZB-2026-0501 level9"))
    assert mailbox.mailbox_poll() == 0
    assert not imap.messages[0].seen
    assert not Incident.objects.exists()


def test_no_mailbox_configured_does_nothing(settings):
    settings.HQ_IMAP_HOST = ""
    assert mailbox.mailbox_poll() == 0
