"""Channels that hang, fail for long or die mid-send: the outbox waits for them without
holding a worker, retries until its horizon, falls back to the person's next channel, and a
killed sender's claim lapses in a minute; nothing is lost, nothing sent twice."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Channel, Circuit, Delivery, Endpoint, SmsGateway
from notifications.services import deliveries_sweep, delivery_send, notify
from tests.servers import HungServer, TricklingServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(user_factory):
    return user_factory(username="alice", email="alice@fenghuo.example", mobile="13800001111")


@pytest.fixture
def quick(settings):
    """Timeouts of a test's patience (the defaults are 5 s to connect, 20 s in all), email
    over SMTP."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.OUTBOUND_CONNECT_TIMEOUT = 1.0
    settings.OUTBOUND_TIMEOUT = 1.0
    settings.EMAIL_TIMEOUT = 1.0
    return settings


def mail(person, key, channels=(Channel.EMAIL,)):
    notify(
        recipients=[person], kind="test", subject=f"消息 {key}", dedupe_key=key, channels=channels
    )


def test_a_hung_mail_server_costs_one_timeout_not_a_worker(
    alice, quick, django_capture_on_commit_callbacks
):
    with HungServer() as hung:
        quick.EMAIL_HOST, quick.EMAIL_PORT = "127.0.0.1", hung.port
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            mail(alice, "hung")
        took = time.monotonic() - started
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    assert took < 5  # one timeout (1 s), not the old unbounded wait
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert "timed out" in delivery.last_error.lower()


def test_a_trickling_http_peer_is_cut_off_at_the_total_timeout(
    quick, django_capture_on_commit_callbacks
):
    with TricklingServer() as slow:
        Endpoint.objects.create(channel=Channel.WEBHOOK, name="slow", url=f"{slow.url}/hook")
        from notifications.services import broadcast

        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            broadcast(event="alert.published", dedupe_key="t", subject="x")
        took = time.monotonic() - started
    delivery = Delivery.objects.get()
    assert took < 4 and delivery.state == "pending"
    assert "no complete answer within 1 s" in delivery.last_error


def test_a_failing_channel_is_paused_and_its_deliveries_wait(
    alice, quick, smtp_server, django_capture_on_commit_callbacks
):
    quick.CIRCUIT_FAILURES = 3
    working_port = quick.EMAIL_PORT
    with HungServer() as hung:
        quick.EMAIL_PORT = hung.port
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(5):
                mail(alice, f"m{n}")
    circuit = Circuit.objects.get(key="email")
    assert circuit.failures == 3 and circuit.open_until is not None
    # three were tried and failed; the other two waited for the channel without a try
    emails = Delivery.objects.filter(channel=Channel.EMAIL)
    assert sorted(emails.values_list("attempts", flat=True)) == [0, 0, 1, 1, 1]
    assert all(d.next_attempt_at >= circuit.open_until - timedelta(seconds=1)
               for d in emails.filter(attempts=0))  # fmt: skip

    # the mail server is back; after the cool-down one probe goes through and closes it
    quick.EMAIL_PORT = working_port
    later = circuit.open_until + timedelta(seconds=1)
    assert deliveries_sweep(now=later)["sent"] == 5
    assert len(smtp_server.messages) == 5 and not emails.exclude(state="sent").exists()
    assert Circuit.objects.get(key="email").open_until is None


def test_a_probe_that_fails_pauses_the_channel_for_longer(
    alice, quick, django_capture_on_commit_callbacks
):
    quick.CIRCUIT_FAILURES = 1
    with HungServer() as hung:
        quick.EMAIL_PORT = hung.port
        with django_capture_on_commit_callbacks(execute=True):
            mail(alice, "p")
        first = Circuit.objects.get(key="email")
        cooldown = first.open_until - first.updated_at
        deliveries_sweep(now=first.open_until + timedelta(seconds=1))
    second = Circuit.objects.get(key="email")
    assert second.trips == 2
    assert second.open_until - first.open_until > cooldown  # twice as long, from later


def test_a_message_that_fails_by_email_goes_out_by_sms(
    alice, quick, http_server, django_capture_on_commit_callbacks
):
    SmsGateway.objects.create(name="gateway", backend="http", url=f"{http_server.url}/sms")
    with HungServer() as hung:
        quick.EMAIL_PORT = hung.port
        with django_capture_on_commit_callbacks(execute=True):
            mail(alice, "urgent")
        email = Delivery.objects.get(channel=Channel.EMAIL)
        sms = Delivery.objects.get(channel=Channel.SMS)
        assert sms.fallback_of == email and sms.state == "sent"
        assert http_server.requests[0].json()["phone"] == "13800001111"
        # the email is still retried; a second failure sends no second SMS
        deliveries_sweep(now=email.next_attempt_at + timedelta(seconds=1))
    assert Delivery.objects.filter(channel=Channel.SMS).count() == 1
    assert len(http_server.requests) == 1


def test_no_fallback_on_a_channel_the_person_switched_off(
    alice, quick, http_server, django_capture_on_commit_callbacks
):
    from notifications.services import channel_preferences_set

    channel_preferences_set(user=alice, enabled={Channel.SMS: False})
    SmsGateway.objects.create(name="gateway", backend="http", url=f"{http_server.url}/sms")
    with HungServer() as hung:
        quick.EMAIL_PORT = hung.port
        with django_capture_on_commit_callbacks(execute=True):
            mail(alice, "quiet")
    assert list(Delivery.objects.values_list("channel", flat=True)) == [Channel.EMAIL]
    assert http_server.requests == []


def test_a_claim_whose_worker_died_is_taken_over_after_its_lease_once(alice, smtp_server, settings):
    mail(alice, "lease")
    delivery = Delivery.objects.get()
    now = timezone.now()
    # a worker claimed it and was killed before it sent
    Delivery.objects.filter(pk=delivery.pk).update(
        state="sending", claimed_at=now, lease_until=now + settings.DELIVERY_LEASE, attempts=1
    )
    assert deliveries_sweep(now=now + timedelta(seconds=30))["revived"] == 0  # still held
    assert smtp_server.messages == []
    done = deliveries_sweep(now=now + settings.DELIVERY_LEASE + timedelta(seconds=1))
    assert done["revived"] == 1 and done["sent"] == 1
    assert len(smtp_server.messages) == 1
    # a late task for it, or another sweep, sends nothing more
    assert delivery_send(delivery_id=delivery.pk) is None
    assert deliveries_sweep(now=now + timedelta(minutes=5))["sent"] == 0
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_slow_send_keeps_its_claim(alice, settings, smtp_server):
    """The lease is renewed while a send takes longer than a lease (here: 0.6 s sends, 0.3 s
    leases), so the sweep beside it does not take the delivery over and send it twice."""
    import threading

    from django.db import connection

    from notifications import channels

    settings.DELIVERY_LEASE = timedelta(seconds=0.3)
    mail(alice, "slow")
    delivery = Delivery.objects.get()
    original = channels.send_email

    def slow_email(delivery):
        time.sleep(0.6)
        original(delivery)

    def send_in_a_worker():
        try:
            delivery_send(delivery_id=delivery.pk)
        finally:
            connection.close()

    channels_send = channels.send
    try:
        channels.send_email = slow_email
        sender = threading.Thread(target=send_in_a_worker)
        sender.start()
        time.sleep(0.45)  # past the first lease
        revived = deliveries_sweep()["revived"]
        sender.join()
    finally:
        channels.send_email = original
        assert channels.send is channels_send
    assert revived == 0
    assert len(smtp_server.messages) == 1


def test_undeliverable_messages_and_paused_channels_are_warnings_on_healthz(
    alice, quick, client, django_capture_on_commit_callbacks
):
    quick.CIRCUIT_FAILURES = 1
    assert client.get("/healthz").json()["deliveries"] == {
        "undeliverable": "ok",
        "paused_channels": "ok",
    }
    with HungServer() as hung:
        quick.EMAIL_PORT = hung.port
        with django_capture_on_commit_callbacks(execute=True):
            mail(alice, "gone", channels=[])
            Delivery.objects.create(
                notification=alice.notifications.get(), channel=Channel.EMAIL,
                address=alice.email, subject="x", dedupe_key="old",
                give_up_at=timezone.now() - timedelta(seconds=1),
            )  # fmt: skip
            deliveries_sweep()
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["deliveries"]["undeliverable"].startswith("warning: 1 undeliverable")
    assert body["deliveries"]["paused_channels"] == "warning: email"


def test_a_message_refused_for_good_is_undeliverable_at_once_and_pauses_nothing(
    user_factory, quick, smtp_server, http_server, django_capture_on_commit_callbacks
):
    """A mailbox that does not exist, a webhook's 404: the channel works, so it stays open
    for everyone else, the message is not retried for a day, and the person's next channel
    carries it."""
    quick.CIRCUIT_FAILURES = 2
    quick.EMAIL_PORT = smtp_server.port
    SmsGateway.objects.create(name="gateway", backend="http", url=f"{http_server.url}/sms")
    left = [
        user_factory(username=f"left{n}", email=f"nobody@{n}.example", mobile=f"1380000{n:04d}")
        for n in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for person in left:
            mail(person, f"gone-{person.pk}")
    emails = Delivery.objects.filter(channel=Channel.EMAIL)
    assert set(emails.values_list("state", "attempts")) == {("dead", 1)}
    assert "refuses nobody@" in emails.first().last_error
    assert not Circuit.objects.filter(open_until__isnull=False).exists()
    assert Delivery.objects.filter(channel=Channel.SMS, state="sent").count() == 3

    Endpoint.objects.create(channel=Channel.WEBHOOK, name="gone", url=f"{http_server.url}/gone")
    http_server.reply = (404, {"error": "no such hook"})
    from notifications.services import broadcast

    with django_capture_on_commit_callbacks(execute=True):
        broadcast(event="alert.published", dedupe_key="w404", subject="x")
    http_server.reply = (429, {"error": "slow down"})
    with django_capture_on_commit_callbacks(execute=True):
        broadcast(event="alert.published", dedupe_key="w429", subject="x")
    hooks = Delivery.objects.filter(channel=Channel.WEBHOOK).order_by("dedupe_key")
    assert [(d.state, d.attempts) for d in hooks] == [("dead", 1), ("pending", 1)]
    # a good mailbox still goes straight out: the channel was never paused
    with django_capture_on_commit_callbacks(execute=True):
        mail(user_factory(username="here", email="here@fenghuo.example"), "here")
    assert [m["to"] for m in smtp_server.messages] == [["here@fenghuo.example"]]
