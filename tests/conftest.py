"""Suite-wide fixtures. The suite runs on real PostgreSQL and Redis and stops with an error,
never a skip, when either is unreachable."""

import os
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from pytest_factoryboy import register

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    database = settings.DATABASES["default"]
    targets = {}
    # The main suite's settings insist on PostgreSQL and Redis; the embedded pass
    # (config.settings.test_sqlite) runs on SQLite and the filesystem broker, which need no server.
    if database["ENGINE"] == "django.db.backends.postgresql":
        targets["PostgreSQL"] = (
            database.get("HOST") or "127.0.0.1",
            int(database.get("PORT") or 5432),
        )
    broker = urlsplit(settings.CELERY_BROKER_URL)
    if broker.scheme.startswith("redis"):
        targets["Redis"] = (broker.hostname or "127.0.0.1", broker.port or 6379)
    missing = [
        f"{name} at {host}:{port}"
        for name, (host, port) in targets.items()
        if not _reachable(host, port)
    ]
    if missing:
        pytest.exit(
            "The test suite needs real services and cannot reach: "
            + ", ".join(missing)
            + ". Start them (see README) or point DATABASE_URL / CELERY_BROKER_URL at them.",
            returncode=3,
        )


from tests import factories  # noqa: E402

register(factories.CityFactory)
register(factories.DepartmentFactory)
register(factories.UserFactory)
register(factories.ProfileFactory)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Transactional tests restore the data of the migrations (the warning matrix, the
    deadline policies) from what Django serialised at setup (``serialized_rollback``).

    Django keeps that on the connection object, and after Playwright has run its event loop
    in the test thread the thread can get a fresh connection object without it; keeping it
    on the class gives it to every connection object."""
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def reference_data_forgotten():
    """Each test reads the reference data (core.reference) of its own database: a row it
    cached is rolled back with the rest of the test."""
    from core.reference import forget_all

    forget_all()
    yield
    forget_all()


@pytest.fixture(autouse=True)
def today_moved(request):
    """``FENGHUO_TEST_NOW`` (ISO 8601 with offset) moves the clock of every test there, time
    still running; a test that pins its own clock travels on from it. ``make test-dates`` runs
    the suite so at a month's end, a year's end and on a public holiday, which a test that
    silently depends on today's date would not survive. Pages in the browser and other
    processes keep the real clock (they cannot travel with the test)."""
    moment = os.environ.get("FENGHUO_TEST_NOW")
    if not moment or any(request.node.get_closest_marker(m) for m in ("browser", "processes")):
        yield None
        return
    from datetime import datetime

    import time_machine

    with time_machine.travel(datetime.fromisoformat(moment), tick=True) as traveller:
        yield traveller


@pytest.fixture
def api_key(db, department):
    """``(key_row, raw_key)`` of an external system acting for ``department``."""
    return factories.make_api_key(department=department)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


# --- browser tests: Debian's Chromium, never a downloaded browser --------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US"}


# --- real servers for outgoing channels ---------------------------------------------------


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server; email goes to it."""
    from tests.servers import SMTPServer

    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        yield server


@pytest.fixture
def asgi_server(transactional_db):
    """Fenghuo under uvicorn (ASGI, as it is served), for the live updates' streams."""
    from tests.servers import ASGIServer

    with ASGIServer() as server:
        yield server


@pytest.fixture
def http_server():
    """A real local HTTP server that records what it receives."""
    from tests.servers import HTTPServer

    with HTTPServer() as server:
        yield server


# --- the broker, pointed elsewhere for outage tests ----------------------------------------


@pytest.fixture
def use_broker(monkeypatch):
    """``use_broker(url)`` points the app's producers at ``url``; the original broker is back
    after the test. Celery reads ``CELERY_BROKER_URL`` from the environment before its own
    configuration, so both change, and the connections pooled for the old broker are dropped."""
    from config.celery import app

    original = app.conf.broker_url

    def point(url: str) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    yield point
    point(original)


# --- order: the longest walks first ---------------------------------------------------------

# Each walks every route as several people (minutes each); started first, they end before the
# rest of the suite does, and no parallel worker (pytest-xdist) is left waiting on one of them.
LONGEST_FIRST = ("tests/test_scoping_walk.py", "tests/test_page_codes.py")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))
