"""The web served as production serves it (uvicorn, ``config.asgi``, production settings)
takes its database connections from a pool and gives each back when its request ends: over
ASGI each request runs in a thread of its own, and a connection kept open after it
(``CONN_MAX_AGE``) would be one more per request until PostgreSQL refuses new ones, which a
busy hour of intake reaches in a minute (every request then a 500)."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.servers import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.processes]
ROOT = Path(__file__).resolve().parents[2]
APPLICATION = "fenghuo-web-connections-test"
REQUESTS = 200
AT_ONCE = 16  # requests in flight together, as a busy intake sends them


def _database_url() -> str:
    database = connection.settings_dict
    return (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def _web_connections() -> int:
    """PostgreSQL's connections from the web under test (its application name)."""
    with psycopg.connect(_database_url(), autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [APPLICATION]
        ).fetchone()
    assert row is not None
    return row[0]


@contextmanager
def _web(**env: str) -> Iterator[str]:
    """The web under uvicorn, as production starts it; yields its address once it answers."""
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SECRET_KEY": "connections-test-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "false",
        "DATABASE_URL": f"{_database_url()}?application_name={APPLICATION}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        **env,
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "uvicorn"),
            "config.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _health(url: str) -> int:
    """The status of a health check, which reads the database."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def _serve_and_count(**env: str) -> int:
    """Send the web ``REQUESTS`` health checks, ``AT_ONCE`` at a time; return how many
    connections it then holds."""
    with _web(**env) as url, ThreadPoolExecutor(AT_ONCE) as clients:
        assert set(clients.map(_health, [url] * REQUESTS)) == {200}
        return _web_connections()


def test_the_web_holds_no_more_connections_than_its_pool():
    assert _serve_and_count(DATABASE_POOL_SIZE="3") <= 3


def test_without_the_pool_each_request_would_keep_one_more():
    # what the pool prevents (the check above can fail): persistent connections over ASGI
    # pile up past the requests in flight (79 after 200 requests here; PostgreSQL's default
    # is 100 connections in all)
    assert _serve_and_count(DATABASE_POOL="false") > AT_ONCE


def test_a_connection_the_database_dropped_is_replaced_not_failed_on():
    """As after a restart of PostgreSQL: the pooled connections are gone; the next request
    still succeeds (the pool checks a connection before handing it out)."""
    with _web(DATABASE_POOL_SIZE="2") as url:
        assert [_health(url) for _ in range(4)] == [200] * 4
        with psycopg.connect(_database_url(), autocommit=True) as admin:
            dropped = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = %s",
                [APPLICATION],
            ).fetchone()
        assert dropped is not None and dropped[0] >= 1
        assert [_health(url) for _ in range(4)] == [200] * 4
