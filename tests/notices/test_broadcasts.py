"""SMS broadcasts of an approved notice to uploaded customers: numbers validated and
deduplicated, only the approved text sent, through the real SMS gateway (a local HTTP sink),
at the broadcast's rate, opted-out numbers never, counts on the incident page, and a crash
mid-broadcast resumed without a message sent twice."""

import json
import time
from datetime import timedelta
from itertools import pairwise

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from core.errors import Conflict
from notices import services
from notices.models import BroadcastRecipient, OptOut, RecipientState
from notices.selectors import broadcast_counts
from notifications.models import SmsGateway

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(http_server):
    SmsGateway.objects.create(
        name="gateway", backend=SmsGateway.Backend.HTTP, url=f"{http_server.url}/sms"
    )
    return http_server


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``committed()``: a block whose commit hands the broadcast to the (eager) workers."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def phones_sent(gateway) -> list[str]:
    return [json.loads(request.body)["phone"] for request in gateway.requests]


def numbers(count: int) -> list[str]:
    return [f"1390000{n:04d}" for n in range(count)]


def test_a_list_is_validated_and_deduplicated(published, owner):
    with pytest.raises(ValidationError) as refused:
        services.broadcast_create(
            incident_id=published.incident_id, actor=owner, phones=["13900000001", "12345", "abc"]
        )
    assert "phones" in refused.value.message_dict
    assert "12345" in refused.value.message_dict["phones"][0]
    broadcast = services.broadcast_create(
        incident_id=published.incident_id,
        actor=owner,
        phones=["13900000001", "+86 139-0000-0001", "8613900000002", "", "13900000003"],
    )
    assert sorted(broadcast.recipients.values_list("phone", flat=True)) == [
        "13900000001", "13900000002", "13900000003",
    ]  # fmt: skip


def test_a_csv_list_is_uploaded_through_the_api_and_the_page(published, owner):
    client = Client()
    client.force_login(owner)
    csv = "姓名,手机号\n张三,13900000001\n李四,13900000002\n张三,13900000001\n".encode()
    answer = client.post(
        "/api/v1/broadcasts/upload/",
        {"incident": published.incident_id, "file": SimpleUploadedFile("list.csv", csv)},
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["counts"] == {
        "queued": 2, "sent": 0, "failed": 0, "opted_out": 0, "total": 2
    }  # fmt: skip
    page = client.post(
        f"/notices/incident/{published.incident_id}/broadcasts/",
        {"broadcast-file": SimpleUploadedFile("l.csv", b"13900000005\n13900000006\n")},
    )
    assert page.status_code == 302
    assert BroadcastRecipient.objects.filter(phone="13900000006").exists()
    posted = client.post(
        "/api/v1/broadcasts/",
        {"incident": published.incident_id, "phones": ["13900000007", "nope"]},
        "application/json",
    )
    assert posted.status_code == 400
    assert [error["attr"] for error in posted.json()["errors"]] == ["phones"]
    empty = client.post(
        "/api/v1/broadcasts/upload/",
        {"incident": published.incident_id, "file": SimpleUploadedFile("list.csv", b"")},
    )
    assert empty.status_code == 400  # as the schema says: a file of one byte at least
    assert [error["attr"] for error in empty.json()["errors"]] == ["file"]


def test_only_an_approved_text_is_sent_and_only_by_the_owner(
    handling, owner, demo, gateway, committed
):
    notice = services.notice_draft(incident_id=handling.pk, actor=owner)
    broadcast = services.broadcast_create(
        incident_id=handling.pk, actor=demo["cs_contact"], phones=numbers(2)
    )
    with pytest.raises(Conflict):  # the notice is a draft
        services.broadcast_start(broadcast_id=broadcast.pk, actor=owner)
    services.notice_approve(notice_id=notice.pk, actor=owner)
    with pytest.raises(PermissionDenied):
        services.broadcast_start(broadcast_id=broadcast.pk, actor=demo["cs_contact"])
    client = Client()
    client.force_login(demo["cs_contact"])
    assert client.post(f"/api/v1/broadcasts/{broadcast.pk}/start/").status_code == 403
    assert gateway.requests == []
    client.force_login(owner)
    with committed():
        answer = client.post(f"/api/v1/broadcasts/{broadcast.pk}/start/")
    assert answer.status_code == 200 and answer.json()["state"] == "sending"
    assert broadcast_counts(broadcast)["sent"] == 2
    broadcast.refresh_from_db()
    assert broadcast.state == "done"
    texts = {json.loads(request.body)["text"] for request in gateway.requests}
    current = services.notice_current(notice)
    assert texts == {f"【{current.title_zh}】{current.text_zh}"}
    assert client.post(f"/api/v1/broadcasts/{broadcast.pk}/start/").status_code == 409


def test_opted_out_numbers_are_never_sent_to(published, owner, gateway, settings, committed):
    settings.SMS_INBOUND_TOKEN = "s3cret"
    services.opt_out_record(phone="13900000001", source=OptOut.Source.ADMIN)
    broadcast = services.broadcast_create(
        incident_id=published.incident_id, actor=owner, phones=numbers(4)
    )
    # the gateway forwards a reply: TD unsubscribes, anything else does not
    callback = Client()
    url = "/notices/sms/opt-out/"
    assert (
        callback.post(url, {"phone": "13900000002", "text": "TD"}, "application/json").status_code
        == 403
    )
    auth = {"HTTP_AUTHORIZATION": "Bearer s3cret"}
    reply = callback.post(
        url, {"phone": "+8613900000002", "text": " td "}, "application/json", **auth
    )
    assert reply.status_code == 200 and reply.json() == {"opted_out": True}
    other = callback.post(url, {"phone": "13900000003", "text": "好的"}, "application/json", **auth)
    assert other.json() == {"opted_out": False}
    with committed():
        services.broadcast_start(broadcast_id=broadcast.pk, actor=owner)
    assert sorted(phones_sent(gateway)) == ["13900000000", "13900000003"]
    assert broadcast_counts(broadcast) == {
        "queued": 0, "sent": 2, "failed": 0, "opted_out": 2, "total": 4
    }  # fmt: skip


def test_the_rate_is_held_within_and_across_batches(
    published, owner, gateway, settings, monkeypatch, committed
):
    settings.SMS_BROADCAST_BATCH_SIZE = 3
    broadcast = services.broadcast_create(
        incident_id=published.incident_id, actor=owner, phones=numbers(7), rate=10
    )
    sent_at: list[float] = []
    real = services.channels.send_sms

    def timed(delivery):
        sent_at.append(time.monotonic())
        real(delivery)

    monkeypatch.setattr(services.channels, "send_sms", timed)
    handed: list[float | None] = []
    enqueue = services.broadcast_enqueue

    def recorded(*, broadcast_id, not_before=None):
        handed.append(not_before)
        enqueue(broadcast_id=broadcast_id, not_before=not_before)

    monkeypatch.setattr(services, "broadcast_enqueue", recorded)
    with committed():
        services.broadcast_start(broadcast_id=broadcast.pk, actor=owner)
    assert len(sent_at) == 7 and len(gateway.requests) == 7
    gaps = [later - earlier for earlier, later in pairwise(sent_at)]
    assert min(gaps) >= 0.095, gaps  # 10 a second, the batch boundaries included
    assert sent_at[-1] - sent_at[0] >= 0.6
    # three batches (3 + 3 + 1): each hands the next on, to start one interval after its last
    assert len(handed) == 3 and handed[0] is None and handed[1] < handed[2]
    assert handed[2] - handed[1] == pytest.approx(0.3, abs=0.05)


def test_a_redelivered_batch_sends_nothing_twice(published, owner, gateway, committed):
    broadcast = services.broadcast_create(
        incident_id=published.incident_id, actor=owner, phones=numbers(3), rate=100
    )
    with committed():
        services.broadcast_start(broadcast_id=broadcast.pk, actor=owner)
    assert services.broadcast_send_batch(broadcast_id=broadcast.pk)["sent"] == 0
    assert len(gateway.requests) == 3


class WorkerDied(BaseException):
    """The worker process killed between sending a message and recording it."""


def test_a_crash_mid_broadcast_resumes_without_sending_twice(
    published, owner, gateway, monkeypatch, committed
):
    broadcast = services.broadcast_create(
        incident_id=published.incident_id, actor=owner, phones=numbers(6), rate=100
    )
    real_mark, marks = services._mark, []

    def dying(recipient_id, state, error=""):
        marks.append(recipient_id)
        if len(marks) == 3:
            raise WorkerDied
        real_mark(recipient_id, state, error)

    monkeypatch.setattr(services, "_mark", dying)
    with pytest.raises(WorkerDied), committed():
        services.broadcast_start(broadcast_id=broadcast.pk, actor=owner)
    monkeypatch.setattr(services, "_mark", real_mark)
    assert len(gateway.requests) == 3
    states = sorted(broadcast.recipients.values_list("state", flat=True))
    assert states.count(RecipientState.SENDING) == 1 and states.count(RecipientState.QUEUED) == 3
    # not yet stale: the sweep leaves the message being sent alone
    assert services.broadcasts_sweep() == {"interrupted": 0, "resumed": 0}
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert services.broadcasts_sweep() == {"interrupted": 1, "resumed": 1}
    sent = phones_sent(gateway)
    assert len(sent) == len(set(sent)) == 6  # each number once, the interrupted one too
    assert broadcast_counts(broadcast) == {
        "queued": 0, "sent": 5, "failed": 1, "opted_out": 0, "total": 6
    }  # fmt: skip
    broadcast.refresh_from_db()
    assert broadcast.state == "done"


def test_the_incident_page_shows_the_counts(published, owner, gateway, committed):
    broadcast = services.broadcast_create(
        incident_id=published.incident_id, actor=owner, phones=numbers(2)
    )
    services.opt_out_record(phone="13900000001")
    with committed():
        services.broadcast_start(broadcast_id=broadcast.pk, actor=owner)
    client = Client()
    client.force_login(owner)
    page = client.get(f"/incidents/{published.incident_id}/").content.decode()
    assert f'data-testid="broadcast-{broadcast.pk}"' in page
    compact = " ".join(page.split())
    assert '<dd data-count="sent"> 1 </dd>' in compact
    assert '<dd data-count="opted_out"> 1 </dd>' in compact


def test_an_administrator_enters_an_opt_out(admin_client):
    bad = admin_client.post("/admin/notices/optout/add/", {"phone": "12345", "source": "admin"})
    assert bad.status_code == 200 and not OptOut.objects.exists()
    response = admin_client.post(
        "/admin/notices/optout/add/", {"phone": "+86 139-0000-0009", "source": "admin"}
    )
    assert response.status_code == 302
    assert OptOut.objects.get().phone == "13900000009"
