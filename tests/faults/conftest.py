"""The fault suite's own servers and processes: a Redis it may kill, Celery workers it may
SIGKILL, all pointed at the test database (transactional tests: the rows must be committed
for another process to see them)."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


def _wait_for_port(port: int, *, up: bool, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            reachable = sock.connect_ex(("127.0.0.1", port)) == 0
        if reachable == up:
            return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} did not come {'up' if up else 'down'}")


class RedisServer:
    """A redis-server of the test's own, on a free port, that it may kill and restart."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for_port(self.port, up=True)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
        _wait_for_port(self.port, up=False)


class Worker:
    """A real Celery worker process on ``queues``, with the test database and ``env``."""

    def __init__(self, queues: str, env: dict[str, str], log: Path):
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queues, "-P", "solo",
             "--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "INFO",
             "-n", f"fault-{queues}-{free_port()}@%h"],
            cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, no cleanup (a crashed machine)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def own_redis(use_broker):
    """A Redis of the test's own, the broker the app's producers send to (tasks travel
    through it, not eagerly)."""
    from config.celery import app

    server = RedisServer()
    server.start()
    use_broker(server.url)
    app.conf.task_always_eager = False
    yield server
    app.conf.task_always_eager = True
    server.kill()


@pytest.fixture
def workers(tmp_path, settings):
    """``workers(queues, broker_url, **env)`` starts a worker; all are stopped after the test."""
    started: list[Worker] = []

    def start(queues: str, broker_url: str, **extra: str) -> Worker:
        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "CELERY_BROKER_URL": broker_url,
            "DJANGO_DEBUG": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(settings.EMAIL_PORT),
            **extra,
        }
        worker = Worker(queues, env, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def eventually(check, *, within: float = 30.0, every: float = 0.2):
    """Wait until ``check()`` is true (a real process does its work on its own time)."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within:g} s")
        time.sleep(every)
