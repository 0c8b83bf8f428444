"""Tasks really travel through the broker: Redis here, and the filesystem transport that
`make run` uses on the embedded default."""

import os

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from config.celery import app


@app.task(name="tests.echo")
def echo(value):
    return value


@pytest.fixture
def real_broker(settings):
    """Send tasks to the broker instead of running them eagerly, with results in memory."""
    app.conf.update(task_always_eager=False, result_backend="cache+memory://")
    yield app
    app.conf.update(task_always_eager=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_round_trips_through_redis(real_broker):
    assert real_broker.conf.broker_url.startswith("redis://")
    with start_worker(real_broker, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = echo.apply_async(args=["烽火"], ignore_result=False)
        assert result.get(timeout=20) == "烽火"


def test_the_embedded_broker_shows_a_worker_only_whole_messages(tmp_path, monkeypatch):
    """kombu's own filesystem transport creates a message file, then writes it: a worker
    listing the folder in between took the empty file and stopped. Ours writes it aside
    and renames it into place."""
    from kombu import Connection

    from core import broker

    folder = tmp_path / "broker"
    folder.mkdir()
    seen_while_writing = []  # how many messages a worker could take, as each is written

    def dumps(payload):
        seen_while_writing.append(len([n for n in os.listdir(folder) if n.endswith(".msg")]))
        return original(payload)

    original = broker.dumps
    monkeypatch.setattr(broker, "dumps", dumps)
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    with Connection("filesystem://", transport_options=options) as connection:
        assert isinstance(connection.transport, broker.Transport)
        queue = connection.SimpleQueue("q")
        queue.put({"n": 1})
        queue.put({"n": 2})
        # only the messages already whole: kombu's own would show [1, 2], each one's empty file
        assert seen_while_writing == [0, 1]
        # both taken, whole (two written within one millisecond come in either order)
        taken = [queue.get(timeout=5).payload for _ in range(2)]
        assert sorted(taken, key=lambda payload: payload["n"]) == [{"n": 1}, {"n": 2}]
        queue.close()


def test_the_filesystem_broker_of_the_embedded_default_delivers(tmp_path, monkeypatch):
    # Celery prefers CELERY_BROKER_URL from the environment (CI points it at Redis).
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    local = Celery("fenghuo-local-check")
    folder = tmp_path / "broker"
    folder.mkdir()
    local.conf.update(
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(tmp_path / "control"),
        },
        result_backend="cache+memory://",
    )
    received = []

    @local.task(name="tests.remember")
    def remember(value):
        received.append(value)
        return value

    with local.connection_for_write() as connection:
        assert connection.transport_cls == "filesystem"
    with start_worker(local, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert remember.apply_async(args=[7], ignore_result=False).get(timeout=20) == 7
    assert received == [7]


# The clock never waits for a channel: each kind of task has its queue, each queue its worker.
ROUTES = [
    ("deadlines.tasks.sweep_deadlines_task", "deadlines"),
    ("deadlines.tasks.reschedule_deadlines_task", "deadlines"),
    ("deadlines.tasks.announce_breaches_task", "deadlines"),  # a storm's backlog, shared
    ("complaints.tasks.detect_mass_complaints_task", "deadlines"),
    ("notifications.tasks.deliver_task", "deliveries"),
    ("notifications.tasks.sweep_deliveries_task", "deliveries"),
    # SMS broadcasts to customers, beside the deliveries to people
    ("notices.tasks.send_broadcast_batch_task", "deliveries"),
    ("notices.tasks.sweep_broadcasts_task", "deliveries"),
    ("dashboards.tasks.rollup_recent_task", "default"),
    # housekeeping never holds up a delivery
    ("core.tasks.prune_idempotency_records_task", "default"),
    ("notifications.tasks.prune_deliveries_task", "default"),
    ("core.tasks.prune_live_changes_task", "default"),
    ("collaboration.tasks.prune_orphan_attachments_task", "default"),
    # the reports to the leadership and HQ go with the deliveries; HQ's mailbox is intake
    ("hq.tasks.deliver_report_task", "deliveries"),
    ("hq.tasks.poll_hq_mailbox_task", "default"),
    ("maintenance.tasks.sweep_planned_work_overruns_task", "default"),
]


@pytest.mark.parametrize(("task", "queue"), ROUTES)
def test_each_task_goes_to_its_queue(task, queue):
    app.loader.import_default_modules()  # every app's tasks, as a worker imports them
    assert task in app.tasks
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_every_periodic_task_and_every_queue_is_covered():
    # a new task of the schedule gets a route here; a worker without -Q consumes every queue
    assert {entry["task"] for entry in app.conf.beat_schedule.values()} <= dict(ROUTES).keys()
    assert set(app.amqp.queues) == {queue for _, queue in ROUTES}


@pytest.fixture
def queues(real_broker):
    """The project's queues on the real broker, empty before and after the test."""
    names = sorted(real_broker.amqp.queues)

    def purge():
        with real_broker.connection_for_write() as connection:
            channel = connection.default_channel
            for name in names:
                real_broker.amqp.queues[name](channel).declare()
                channel.queue_purge(name)

    def waiting(name):
        with real_broker.connection_for_write() as connection:
            return real_broker.amqp.queues[name](connection.default_channel).queue_declare()[1]

    purge()
    yield waiting
    purge()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_deadlines_worker_sweeps_while_deliveries_wait(real_broker, queues):
    """A worker that consumes only `deadlines` (`-Q deadlines`) runs the sweep; what went to
    `deliveries` stays there, untouched, for the delivery worker."""
    from deadlines.tasks import sweep_deadlines_task
    from notifications.tasks import sweep_deliveries_task

    sweep_deliveries_task.apply_async()
    assert (queues("deliveries"), queues("deadlines"), queues("default")) == (1, 0, 0)
    try:
        with start_worker(
            real_broker,
            pool="solo",
            queues=["deadlines"],
            perform_ping_check=False,
            shutdown_timeout=10,
        ):
            swept = sweep_deadlines_task.apply_async(ignore_result=False)
            assert swept.get(timeout=20) == {"breached": 0, "announced": 0, "reminded": 0}
    finally:
        # a worker's -Q narrows the app's own queue list: the next worker in this process
        # (another test's) must consume every queue again
        del real_broker.amqp.queues
    assert (queues("deliveries"), queues("deadlines"), queues("default")) == (1, 0, 0)
    assert set(real_broker.amqp.queues.consume_from) == {"default", "deadlines", "deliveries"}
