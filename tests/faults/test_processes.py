"""Faults injected into real processes: the broker killed while complaints come in, a worker
SIGKILLed while it sends. No complaint and no message is lost; none is sent twice."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from complaints import services as complaints
from complaints.models import Complaint
from config.celery import app
from notifications.models import Delivery
from notifications.services import deliveries_sweep, notify
from notifications.tasks import sweep_deliveries_task
from organisation.demo import seed_demo
from organisation.models import City, Department
from organisation.services import api_key_create
from tests.complaints.test_complaints import payload
from tests.faults.conftest import eventually
from tests.servers import HungServer

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.processes,
]

# every queue the app sends to: one worker does all (the queues' split has tests of its own)
ALL_QUEUES = ",".join(sorted({app.conf.task_default_queue, "deadlines", "deliveries"}))


def test_complaints_taken_while_the_broker_is_down_lose_nothing(
    own_redis, workers, smtp_server, api_client
):
    seed_demo()
    _key, raw = api_key_create(name="10086 feed", department=Department.objects.get(code="CSC"))
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    hotline = User.objects.get(username="hotline1")
    network = Department.objects.get(code="NET")

    own_redis.kill()
    taken = [
        api_client.post("/api/v1/complaints/", payload(external_id=f"T-{n}"), format="json")
        for n in range(10)
    ]
    assert [response.status_code for response in taken] == [201] * 10
    for response in taken:  # each dispatch tells the network department, by email
        complaints.complaint_dispatch(
            complaint_id=response.json()["id"], actor=hotline, department=network
        )
    assert Complaint.objects.count() == 10
    waiting = Delivery.objects.filter(event="complaint.dispatched")
    assert waiting.count() == 10 and set(waiting.values_list("state", flat=True)) == {"pending"}

    own_redis.start()  # back: beat's next sweep, run by a worker, delivers the backlog
    workers(ALL_QUEUES, own_redis.url)
    sweep_deliveries_task.delay()
    eventually(lambda: not waiting.exclude(state="sent").exists())
    assert len(smtp_server.messages) == 10
    assert len({m["message_id"] for m in smtp_server.messages}) == 10


def test_a_worker_killed_while_sending_is_taken_over_after_its_lease_once(
    own_redis, workers, smtp_server, user_factory
):
    alice = user_factory(username="alice", email="alice@fenghuo.example")
    with HungServer() as hung:
        # the worker's mail server hangs: it holds the claim (and renews it) while it waits
        worker = workers(
            ALL_QUEUES, own_redis.url, EMAIL_PORT=str(hung.port), OUTBOUND_TIMEOUT="60",
            DELIVERY_LEASE_SECONDS="2",
        )  # fmt: skip
        notify(recipients=[alice], kind="test", subject="要紧的消息", dedupe_key="k")
        delivery = Delivery.objects.get()
        eventually(lambda: Delivery.objects.filter(pk=delivery.pk, state="sending").exists())
        worker.kill()
    claimed = Delivery.objects.get(pk=delivery.pk)
    assert claimed.state == "sending" and claimed.lease_until < timezone.now() + timedelta(
        seconds=3
    )
    assert deliveries_sweep(now=claimed.lease_until - timedelta(seconds=1))["revived"] == 0
    # the lease lapses within seconds (not the old ten minutes): the sweep takes it over
    done = deliveries_sweep(now=claimed.lease_until + timedelta(seconds=1))
    assert (done["revived"], done["sent"]) == (1, 1)
    assert len(smtp_server.messages) == 1
    assert deliveries_sweep(now=timezone.now() + timedelta(minutes=5))["sent"] == 0
    assert len(smtp_server.messages) == 1
    connection.close()


def test_the_clock_keeps_time_while_the_mail_server_hangs(
    own_redis, workers, user_factory, smtp_server
):
    """The deadlines worker consumes its own queue: with the deliveries worker stuck on a
    hung mail server, a deadline is still breached within seconds of its due time."""
    from deadlines.models import Deadline
    from deadlines.tasks import sweep_deadlines_task

    seed_demo()
    complaint = complaints.complaint_create(
        actor=User.objects.get(username="hotline1"), channel="hotline", customer_name="王先生",
        customer_phone="13812345678", customer_account="A1",
        city=City.objects.get(code="CC"),
        address="长春", business_line="network", summary="断网", description="整个小区断网",
    )  # fmt: skip
    due = timezone.now() + timedelta(seconds=4)
    deadline = Deadline.objects.filter(object_id=complaint.pk, state="pending").first()
    Deadline.objects.filter(pk=deadline.pk).update(due_at=due, next_reminder_at=None)

    with HungServer() as hung:
        slow = {"EMAIL_PORT": str(hung.port), "OUTBOUND_TIMEOUT": "30"}
        workers("deliveries,default", own_redis.url, **slow)
        workers("deadlines", own_redis.url, **slow)
        alice = user_factory(username="alice", email="alice@fenghuo.example")
        for n in range(3):  # a minute and a half of hanging for the one delivery slot
            notify(recipients=[alice], kind="test", subject=f"消息 {n}", dedupe_key=f"h{n}")
        eventually(lambda: Delivery.objects.filter(state="sending").exists())
        eventually(lambda: timezone.now() > due + timedelta(seconds=1))
        sweep_deadlines_task.delay()  # as beat sends it every 30 s
        breached = eventually(
            lambda: Deadline.objects.filter(pk=deadline.pk, state="breached").first(), within=15
        )
        assert breached.breached_at - due < timedelta(seconds=6)
        # meanwhile the mail backlog is still there: the two did not share a slot
        assert Delivery.objects.filter(address=alice.email).exclude(state="sent").exists()
