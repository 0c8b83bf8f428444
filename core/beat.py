"""Exactly one Celery beat sends the periodic tasks, however many are started.

An operator may start a second `celery beat` by mistake; without a lock both would send every
periodic task. ``LeasedScheduler`` (``CELERY_BEAT_SCHEDULER``) is django-celery-beat's
database scheduler that sends only while it holds the beat's lease, a row in the database
every process already shares. A lock in Redis would not exist on the embedded default (SQLite
and the filesystem broker); the database is there in every environment.

The holder renews the lease on every tick. Another instance stands by, says so once in its
log, and takes the lease over the moment it lapses: within ``LEASE_TICKS`` of the longest
wait between ticks (15 s) after the holder died, at its next tick when the holder stopped
cleanly (it releases the lease). Each instance compares the lease with its own clock, so beat
hosts keep their clocks synchronised (NTP); a lease of 15 s tolerates skew of a few seconds.
"""

import logging
import os
import socket
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler

from core.models import Lease

logger = logging.getLogger(__name__)

BEAT = "beat"
# A lease lasts three of the longest waits between ticks (django-celery-beat's 5 s): a holder
# that is slow once keeps it, one that missed three renewals is gone.
LEASE_TICKS = 3


def lease_take(*, name: str, holder: str, seconds: float) -> Lease:
    """Renew lease ``name`` for ``holder`` or take it over if it lapsed, for ``seconds`` from
    now; the lease as it then stands, held by someone else when neither was possible.

    Each UPDATE decides alone, without a transaction around them: PostgreSQL re-checks the
    WHERE of an UPDATE against a row another transaction has just changed, and SQLite writes
    one at a time, so of two instances that find the lease lapsed at once only one takes it."""
    now = timezone.now()
    until = now + timedelta(seconds=seconds)
    leases = Lease.objects.filter(name=name)
    if not leases.filter(holder=holder).update(held_until=until):
        leases.filter(held_until__lte=now).update(holder=holder, held_until=until, acquired_at=now)
    lease, _ = Lease.objects.get_or_create(
        name=name, defaults={"holder": holder, "held_until": until, "acquired_at": now}
    )
    return lease


def lease_release(*, name: str, holder: str) -> None:
    """End ``holder``'s lease now, so that a standby need not wait for it to lapse."""
    Lease.objects.filter(name=name, holder=holder).update(held_until=timezone.now())


def beat_status() -> dict[str, str]:
    """/healthz: which beat holds the lease and whether it is current. A lapsed lease means no
    beat sends periodic tasks (deadline sweeps included): a warning that names the moment."""
    lease = Lease.objects.filter(name=BEAT).first()
    if lease is None:
        return {"state": "warning: no beat has run yet"}
    held_until = timezone.localtime(lease.held_until)
    if held_until <= timezone.now():
        state = f"warning: the lease lapsed at {held_until:%Y-%m-%d %H:%M:%S}, no beat is sending"
    else:
        state = "ok"
    return {
        "state": state,
        "holder": lease.holder,
        "held_until": held_until.isoformat(),
        "since": timezone.localtime(lease.acquired_at).isoformat(),
    }


class LeasedScheduler(DatabaseScheduler):
    """django-celery-beat's ``DatabaseScheduler`` that sends only while it holds the lease.

    Every instance still writes the schedule of code into the database at start (the same
    rows each time); only the holder sends, and so only the holder advances last-run times."""

    def __init__(self, *args: Any, holder: str | None = None, **kwargs: Any) -> None:
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}"
        self.holding: bool | None = None  # not known before the first tick
        super().__init__(*args, **kwargs)
        self.lease_seconds = LEASE_TICKS * self.max_interval

    def tick(self, *args: Any, **kwargs: Any) -> float:
        try:
            lease = lease_take(name=BEAT, holder=self.holder, seconds=self.lease_seconds)
        except DatabaseError:
            # Nothing proves the lease is still ours: send nothing until the database answers.
            logger.exception("Beat %s cannot reach its lease; sending nothing", self.holder)
            close_old_connections()  # the next tick starts on a new connection
            self.holding = None
            return self.max_interval
        if lease.holder != self.holder:
            if self.holding is not False:
                logger.warning(
                    "Beat %s stands by: beat %s holds the lease until %s",
                    self.holder,
                    lease.holder,
                    timezone.localtime(lease.held_until).isoformat(),
                )
                self.holding = False
                self.sync()  # the last runs this instance sent, before a new holder reads them
            # wake up when the lease would lapse, to take it over at once
            lapses_in = (lease.held_until - timezone.now()).total_seconds()
            return min(self.max_interval, max(lapses_in, 0.0) + 0.1)
        if not self.holding:
            logger.info("Beat %s holds the lease and sends the periodic tasks", self.holder)
            self.holding = True
            # Continue from the last runs the previous holder wrote, not from the copy this
            # instance read when it started, in a heap built afresh from it. A rebuild that
            # django-celery-beat asked for while this instance stood by would come after the
            # first sends, from entries that do not know them yet, and send them twice.
            self._schedule = self.all_as_schedule()
            self._heap = None
            self._heap_invalidated = False
        return super().tick(*args, **kwargs)

    def close(self) -> None:
        super().close()
        if self.holding:
            try:
                lease_release(name=BEAT, holder=self.holder)
            except DatabaseError:
                logger.exception("Beat %s could not release its lease; it lapses", self.holder)
            self.holding = False
