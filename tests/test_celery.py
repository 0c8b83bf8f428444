"""Tasks really travel through the broker: Redis here, and the filesystem transport that
`make run` uses on the embedded default."""

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
