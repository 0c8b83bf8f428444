"""Messages written as a batch (a storm of breaches, an alert to many) reach the broker as one
message, which the deliveries worker fans out into one task per message: whoever wrote the
batch never waits on a round trip to the broker per message."""

import base64
import json

import pytest
import redis
from django.db import transaction

from config.celery import app
from notifications.models import Channel, Delivery
from notifications.services import notifications_build, notifications_store
from notifications.tasks import deliver_task, dispatch_deliveries_task

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def broker(use_broker):
    """The real Redis broker, on a database of this test's own, empty; tasks travel through
    it instead of running eagerly."""
    url = "redis://127.0.0.1:6379/13"
    use_broker(url)
    queue = redis.Redis.from_url(url)
    queue.flushdb()
    app.conf.task_always_eager = False
    yield queue
    app.conf.task_always_eager = True
    queue.flushdb()


def queued(queue) -> list[tuple[str, list]]:
    """The (task name, arguments) waiting on the deliveries queue, oldest first."""
    messages = [json.loads(raw) for raw in reversed(queue.lrange("deliveries", 0, -1))]
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]


def store(people, key: str) -> None:
    with transaction.atomic():
        notifications_store(
            notifications_build(recipients=people, kind="test", subject="消息", dedupe_key=key),
            channels=(Channel.EMAIL,),
        )


def test_a_batch_is_one_message_to_the_broker_and_one_task_per_delivery_after(broker, user_factory):
    people = [user_factory(email=f"p{n}@fenghuo.example") for n in range(3)]
    store(people, "batch")
    ids = sorted(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == 3
    [(task, [batch])] = queued(broker)
    assert (task, sorted(batch)) == (dispatch_deliveries_task.name, ids)

    broker.delete("deliveries")
    dispatch_deliveries_task.apply(args=[ids])  # what the deliveries worker runs
    assert sorted(queued(broker)) == [(deliver_task.name, [pk]) for pk in ids]


def test_a_single_message_goes_to_the_broker_as_its_own_task(broker, user_factory):
    store([user_factory(email="one@fenghuo.example")], "one")
    assert queued(broker) == [(deliver_task.name, [Delivery.objects.get().pk])]


def test_storing_a_batch_again_sends_nothing_twice(broker, user_factory):
    people = [user_factory(email=f"q{n}@fenghuo.example") for n in range(2)]
    store(people, "again")
    first = set(Delivery.objects.values_list("pk", flat=True))
    store(people, "again")  # a retried sweep
    assert set(Delivery.objects.values_list("pk", flat=True)) == first
    assert Delivery.objects.count() == 2


def test_the_same_message_twice_in_one_batch_is_stored_once(broker, user_factory):
    person = user_factory(email="twice@fenghuo.example")
    rows = notifications_build(recipients=[person], kind="test", subject="一", dedupe_key="k")
    rows += notifications_build(recipients=[person], kind="test", subject="二", dedupe_key="k")
    with transaction.atomic():
        notifications_store(rows, channels=(Channel.EMAIL,))
    assert list(person.notifications.values_list("subject", flat=True)) == ["一"]
    assert Delivery.objects.count() == 1
