"""Exactly one beat sends (core.beat): two schedulers against the test database share one
lease; the second takes over when the first is gone."""

import logging
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from config.celery import app
from core.beat import BEAT, LeasedScheduler
from core.models import Lease

# django-celery-beat commits and reconnects between ticks, as it does in its own process.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The jobs of CELERY_BEAT_SCHEDULE that fall due within minutes (every 15, 30 and 60 s).
DUE = {
    "detect-mass-complaints",
    "poll-hq-mailbox",
    "rollup-today",
    "sweep-broadcasts",
    "sweep-deadlines",
    "sweep-deliveries",
    "sweep-planned-work-overruns",
}


class Recording(LeasedScheduler):
    """The project's scheduler, keeping the entries it sends instead of sending them: the
    suite runs tasks eagerly, so a send would run the sweep here and now."""

    def __init__(self, *args, **kwargs):
        self.sent: list[str] = []
        super().__init__(*args, **kwargs)

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        self.sent.append(entry.name)


@pytest.fixture
def beat():
    """Starts a beat's scheduler as ``holder``; each is stopped at the end of the test (while
    the test database exists: django-celery-beat would otherwise write at the interpreter's
    exit)."""
    started: list[Recording] = []

    def start(holder: str) -> Recording:
        started.append(Recording(app=app, holder=holder))
        return started[-1]

    yield start
    for scheduler in started:
        scheduler.close()


# Celery's own daily job (results cleanup at 04:00 local time): due within the two minutes only
# when the test runs just then, so left out of what is counted
CELERY_DAILY = {"celery.backend_cleanup"}


def tick(scheduler: Recording) -> list[str]:
    """Tick as beat's loop does until the scheduler would sleep; what it sent meanwhile."""
    scheduler.sent.clear()
    for _ in range(50):
        if scheduler.tick() > 0:
            break
    return [name for name in scheduler.sent if name not in CELERY_DAILY]


def live(clock, seconds: int, *schedulers: Recording) -> list[Counter]:
    """``seconds`` of beat's loop in each scheduler, a tick every 5 s: what each sent."""
    sent = [Counter() for _ in schedulers]
    for _ in range(seconds // 5):
        clock.shift(timedelta(seconds=5))
        for scheduler, counter in zip(schedulers, sent, strict=True):
            counter.update(tick(scheduler))
    return sent


def healthz_beat(client) -> dict:
    response = client.get("/healthz")
    assert response.status_code == 200  # the beat never turns /healthz into a 503
    return response.json()["beat"]


def test_two_beats_send_once_and_the_second_takes_over_when_the_first_dies(beat, client, caplog):
    # Started on the running clock, as beat starts: each writes the schedule of code into the
    # database, and the second reads it back as changed (django-celery-beat then asks for its
    # heap to be rebuilt, which once made the takeover below send a job twice).
    # its own level: a real worker started by an earlier test leaves the root logger at ERROR
    caplog.set_level(logging.INFO, logger="core.beat")
    first = beat("beat-1:101")
    second = beat("beat-2:202")
    assert first.lease_seconds == 15  # three of django-celery-beat's 5 s ticks
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # Two minutes of both beats: the first sends every job as often as its interval says,
        # the second nothing.
        by_first, by_second = live(clock, 120, first, second)
        assert set(by_first) == DUE and not by_second
        assert by_first["sweep-deadlines"] == 120 // 30
        assert by_first["detect-mass-complaints"] == 120 // 15
        assert caplog.text.count("stands by") == 1  # said once, not at every tick
        shown = healthz_beat(client)
        assert (shown["state"], shown["holder"]) == ("ok", "beat-1:101")

        # The first dies: no more ticks, no goodbye. Its last renewal lasts 15 s.
        (by_second,) = live(clock, 10, second)
        assert not by_second
        clock.shift(timedelta(seconds=5))
        assert healthz_beat(client)["state"].startswith("warning: the lease lapsed")
        assert sorted(tick(second)) == sorted(DUE)  # taken over within the lease, each due job once
        shown = healthz_beat(client)
        assert (shown["state"], shown["holder"]) == ("ok", "beat-2:202")
        (by_second,) = live(clock, 30, second)
        assert by_second["sweep-deadlines"] == 1

        # Should the first come back, it stands by.
        assert tick(first) == []
        assert Lease.objects.get(name=BEAT).holder == "beat-2:202"


def test_a_beat_that_stops_cleanly_hands_over_at_once(beat):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        first = beat("beat-1:101")
        second = beat("beat-2:202")
        by_first, by_second = live(clock, 60, first, second)
        assert by_first and not by_second
        first.close()  # what `celery beat` does when it is stopped
        # Taken over at once, from the last runs the first wrote when it stopped: nothing is
        # due again this instant, and the next 30 s hold one sweep.
        assert tick(second) == []
        assert Lease.objects.get(name=BEAT).holder == "beat-2:202"
        (by_second,) = live(clock, 30, second)
        assert by_second["sweep-deadlines"] == 1
