"""An event's fan-out goes to the workers in batches: claimed together, sent over one
connection per channel, each marked sent as it goes; a channel that fails in a batch hands
the batch's other messages on it back, to go one by one; a paused channel is not tried."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.models import Channel, Circuit, Delivery, SmsGateway
from notifications.services import deliveries_batched, deliveries_send, notify
from tests.servers import HTTPServer, SMTPServer

pytestmark = pytest.mark.django_db

BOTH = (Channel.EMAIL, Channel.SMS)


@pytest.fixture
def people(user_factory):
    return [
        user_factory(username=f"p{n}", email=f"p{n}@fenghuo.example", mobile=f"1380000{n:04d}")
        for n in range(4)
    ]


@pytest.fixture
def gateway(http_server):
    SmsGateway.objects.create(
        name="gateway", backend=SmsGateway.Backend.HTTP, url=f"{http_server.url}/sms"
    )
    return http_server


def written(people, key="k", channels=BOTH) -> list[int]:
    """The people's outbox rows, written and not handed to any worker."""
    for person in people:
        notify(recipients=[person], kind="test", subject=f"消息 {key}", dedupe_key=key,
               channels=channels)  # fmt: skip
    return list(Delivery.objects.order_by("pk").values_list("pk", flat=True))


def test_a_batch_is_sent_over_one_connection_per_channel_once(people, smtp_server, gateway):
    ids = written(people)
    assert deliveries_send(delivery_ids=ids) == {"sent": 8, "pending": 0, "dead": 0}
    assert sorted(m["to"][0] for m in smtp_server.messages) == [p.email for p in people]
    assert len({m["connection"] for m in smtp_server.messages}) == 1  # one SMTP connection
    assert len(gateway.requests) == 4
    assert set(Delivery.objects.values_list("state", "attempts")) == {("sent", 1)}
    # a redelivered task finds every row taken and sends nothing again
    assert deliveries_send(delivery_ids=ids) == {"sent": 0, "pending": 0, "dead": 0}
    assert len(smtp_server.messages) == 4 and len(gateway.requests) == 4


def test_an_alert_hands_its_fan_out_over_in_batches_on_commit(
    people, smtp_server, gateway, settings, django_capture_on_commit_callbacks
):
    settings.DELIVERY_BATCH_SIZE = 3
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        with deliveries_batched():
            written(people)
        assert smtp_server.messages == []  # nothing before the commit
    # one hand-over for the four people's eight messages (and the open pages told once)
    handovers = [c for c in callbacks if getattr(c, "__module__", "") != "core.live"]
    assert len(handovers) == 1 and len(callbacks) == 2
    handovers[0]()  # the commit: three tasks (3 + 3 + 2), run by the eager test worker
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    assert len(smtp_server.messages) == 4 and len(gateway.requests) == 4


def test_a_rollback_hands_nothing_over(people, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
        deliveries_batched(),
    ):
        written(people)
        raise RuntimeError
    assert callbacks == [] and not Delivery.objects.exists()


def test_a_channel_failing_in_a_batch_hands_its_other_messages_back(people, smtp_server):
    with HTTPServer(reply=(503, {"code": 1})) as down:
        SmsGateway.objects.create(name="gw", backend=SmsGateway.Backend.HTTP, url=down.url)
        ids = written(people)
        done = deliveries_send(delivery_ids=ids)
        # the first SMS failed; the other three went back and were each tried alone (the
        # test worker is eager); the emails went, the batch's and the SMS's fallbacks alike
        assert len(down.requests) == 4
    sms = Delivery.objects.filter(channel=Channel.SMS)
    assert set(sms.values_list("state", "attempts")) == {("pending", 1)}
    assert done["sent"] == 4 and done["pending"] == 4
    assert Circuit.objects.get(key="sms").failures == 4
    assert sorted(m["to"][0] for m in smtp_server.messages) == [p.email for p in people]


def test_a_paused_channel_is_not_tried_in_a_batch(people, smtp_server, gateway):
    until = timezone.now() + timedelta(minutes=5)
    Circuit.objects.create(key="sms", failures=5, trips=1, open_until=until)
    ids = written(people)
    done = deliveries_send(delivery_ids=ids)
    assert done == {"sent": 4, "pending": 4, "dead": 0}
    assert gateway.requests == []
    waiting = Delivery.objects.filter(channel=Channel.SMS)
    assert set(waiting.values_list("state", "attempts", "next_attempt_at")) == {
        ("pending", 0, until)
    }


def test_a_kept_smtp_connection_the_server_dropped_is_replaced(people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    first = SMTPServer()
    settings.EMAIL_PORT = first.port
    with first:
        deliveries_send(delivery_ids=written(people[:2], "a", (Channel.EMAIL,)))
    # the server restarts on the same port: the connection kept from the first batch is dead
    with SMTPServer(port=first.port) as again:
        assert deliveries_send(delivery_ids=written(people[2:], "b", (Channel.EMAIL,)))["sent"] == 2
        assert [m["to"][0] for m in again.messages] == [p.email for p in people[2:]]
    assert len(first.messages) == 2
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def test_without_reuse_each_message_has_a_connection_of_its_own(people, smtp_server, settings):
    settings.EMAIL_CONNECTION_REUSE_SECONDS = 0
    deliveries_send(delivery_ids=written(people, channels=(Channel.EMAIL,)))
    assert len({m["connection"] for m in smtp_server.messages}) == 4


# --- SMS, several to a request -------------------------------------------------------------


def test_a_gateway_that_takes_several_gets_a_batch_s_sms_in_requests_of_its_size(
    people, smtp_server, gateway, settings, django_capture_on_commit_callbacks
):
    SmsGateway.objects.update(batch_size=3)
    settings.DELIVERY_BATCH_SIZE = 4
    with (
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
        deliveries_batched(),
    ):
        written(people)
    # the outbox puts a channel's messages side by side: one task holds the four SMS, which
    # go as a request of three (the batch template) and one alone (the body template)
    bodies = [request.json() for request in gateway.requests]
    assert [len(body.get("messages", [body])) for body in bodies] == [3, 1]
    sent = [m for body in bodies for m in body.get("messages", [body])]
    assert sorted(m["phone"] for m in sent) == [p.profile.mobile for p in people]
    assert {m["text"] for m in sent} == {"消息 k"}
    assert set(Delivery.objects.values_list("state", "attempts")) == {("sent", 1)}
    assert len(smtp_server.messages) == 4


def test_a_request_of_several_that_is_refused_goes_again_one_by_one(people, smtp_server):
    bad = people[1].profile.mobile

    def answer(request):
        body = request.json()
        if "messages" in body or body["phone"] == bad:
            return 400, {"code": 1, "message": "invalid number"}
        return 200, {"code": 0}

    with HTTPServer(reply=answer) as gateway:
        SmsGateway.objects.create(name="gw", backend="http", url=gateway.url, batch_size=10)
        ids = written(people, channels=(Channel.SMS,))
        done = deliveries_send(delivery_ids=ids)
        # one request of four, refused; then each alone (the test worker is eager): only the
        # bad number is refused for good, and the gateway is not blamed
        assert len(gateway.requests) == 5
    states = dict(Delivery.objects.filter(channel=Channel.SMS).values_list("address", "state"))
    assert states == {p.profile.mobile: "dead" if p == people[1] else "sent" for p in people}
    assert done["pending"] == 4  # handed back from this batch
    assert not Circuit.objects.filter(failures__gt=0).exists()


def test_a_request_of_several_that_fails_counts_once_against_the_gateway(people):
    with HTTPServer(reply=(503, {"code": 1})) as down:
        SmsGateway.objects.create(name="gw", backend="http", url=down.url, batch_size=10)
        deliveries_send(delivery_ids=written(people, channels=(Channel.SMS,)))
        # the request of four failed; each then went alone (eager) and failed too
        assert len(down.requests) == 1 + 4
    assert Circuit.objects.get(key="sms").failures == 1 + 4
    sms = Delivery.objects.filter(channel=Channel.SMS)
    assert set(sms.values_list("state", "attempts")) == {("pending", 1)}
