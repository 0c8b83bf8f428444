"""The embedded default (`make run`: SQLite and the filesystem broker) under test.

These tests run in a pass of their own, ``make pytest-sqlite`` (settings
``config.settings.test_sqlite``), which ``make test`` runs after the PostgreSQL suite. The
PostgreSQL run does not collect them; the SQLite pass collects nothing else, and a pass that
collected no test fails (pytest's exit code 5), so they cannot drop out of CI unnoticed.
"""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"

if not ON_SQLITE:
    collect_ignore_glob = ["test_*.py"]

# A working Tuesday morning in a year the working-day calendar knows: every date the demo
# and its deadlines compute from (working days, callback windows, the month) is fixed.
PINNED = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="session")
def clock():
    """The session's clock starts at ``PINNED`` and ticks on from there."""
    traveller = time_machine.travel(PINNED, tick=True)
    traveller.start()
    yield PINNED
    traveller.stop()


@pytest.fixture(scope="session")
def demo(django_db_setup, django_db_blocker, clock) -> list[str]:
    """The demo exactly as `make run` loads it (``seed_demo --records``), committed once for
    the session (each test's own writes are rolled back); the usernames it prints."""
    out = StringIO()
    with django_db_blocker.unblock(), override_settings(DEBUG=True):  # the demo refuses DEBUG off
        call_command("seed_demo", "--records", stdout=out)
    text = out.getvalue()
    assert "16 made" in text, text  # 6 incidents, 8 complaints, 2 planned works
    table = text.split("\n\n")[0].splitlines()[2:]  # after the header and its rule
    return [line.split()[0] for line in table if line.strip()]
