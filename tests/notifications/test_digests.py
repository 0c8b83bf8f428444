"""A person told of many things at once (a storm of breaches, of proposed violations) gets one
message on each channel that lists them all; in the app each stays a notification with its
own link. A digest the mail server cannot take goes out on the person's next channel whole."""

import pytest
from django.db import transaction

from notifications.models import Channel, Delivery, SmsGateway
from notifications.services import notifications_build, notifications_store
from tests.servers import HungServer

pytestmark = pytest.mark.django_db


def told(people, keys, *, digest=True):
    rows = []
    for key in keys:
        rows += notifications_build(
            recipients=people,
            kind="deadline.breached",
            subject=f"逾期：{key}",
            body=f"应于 {key} 完成。",
            link=f"/incidents/{key}/",
            dedupe_key=key,
        )
    with transaction.atomic():
        notifications_store(rows, channels=(Channel.EMAIL,), digest=digest)


def test_many_messages_to_one_person_are_one_email_listing_them(
    user_factory, smtp_server, django_capture_on_commit_callbacks
):
    many = user_factory(email="many@fenghuo.example")
    one = user_factory(email="one@fenghuo.example")
    with django_capture_on_commit_callbacks(execute=True):
        told([many], ["A-1", "A-2", "A-3"])
        told([one], ["B-1"])
    assert many.notifications.count() == 3  # the inbox keeps each, with its link
    assert sorted(many.notifications.values_list("link", flat=True)) == [
        "/incidents/A-1/",
        "/incidents/A-2/",
        "/incidents/A-3/",
    ]
    mails = {m["to"][0]: m for m in smtp_server.messages}
    assert len(smtp_server.messages) == 2
    digest = mails["many@fenghuo.example"]
    assert digest["subject"] == "3 条消息：逾期：A-1 …"
    body = digest["body"].replace("\r\n", "\n")  # as the mail travelled
    for key in ("A-1", "A-2", "A-3"):
        assert f"逾期：{key}\n应于 {key} 完成。\nhttp://127.0.0.1:8000/incidents/{key}/" in body
    assert mails["one@fenghuo.example"]["subject"] == "逾期：B-1"  # one is sent as it is


def test_without_digest_each_message_is_its_own_email(
    user_factory, smtp_server, django_capture_on_commit_callbacks
):
    person = user_factory(email="each@fenghuo.example")
    with django_capture_on_commit_callbacks(execute=True):
        told([person], ["C-1", "C-2"], digest=False)
    assert sorted(m["subject"] for m in smtp_server.messages) == ["逾期：C-1", "逾期：C-2"]


def test_a_digest_told_again_is_not_sent_again(
    user_factory, smtp_server, django_capture_on_commit_callbacks
):
    person = user_factory(email="again@fenghuo.example")
    with django_capture_on_commit_callbacks(execute=True):
        told([person], ["D-1", "D-2"])
        told([person], ["D-1", "D-2"])  # a retried batch
    assert len(smtp_server.messages) == 1
    assert person.notifications.count() == 2


def test_a_digest_the_mail_server_cannot_take_goes_out_whole_by_sms(
    user_factory, settings, http_server, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.OUTBOUND_CONNECT_TIMEOUT = settings.OUTBOUND_TIMEOUT = settings.EMAIL_TIMEOUT = 1.0
    SmsGateway.objects.create(name="gateway", backend="http", url=f"{http_server.url}/sms")
    person = user_factory(email="far@fenghuo.example", mobile="13800002222")
    with HungServer() as hung:
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", hung.port
        with django_capture_on_commit_callbacks(execute=True):
            told([person], ["E-1", "E-2"])
    email = Delivery.objects.get(channel=Channel.EMAIL)
    sms = Delivery.objects.get(channel=Channel.SMS)
    assert sms.fallback_of == email and sms.state == "sent"
    assert (sms.subject, sms.body) == (email.subject, email.body)
    text = http_server.requests[0].json()["text"]
    assert "逾期：E-1" in text and "逾期：E-2" in text
