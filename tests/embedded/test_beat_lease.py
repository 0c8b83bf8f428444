"""The beat's lease (core.beat) on the embedded default's SQLite: one beat sends without
Redis. The schedulers themselves are tried on PostgreSQL (tests/test_beat.py)."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from core.beat import BEAT, lease_release, lease_take


def test_one_beat_holds_the_lease_until_it_lapses_or_is_released(db):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert lease_take(name=BEAT, holder="make-run:1", seconds=15).holder == "make-run:1"
        assert lease_take(name=BEAT, holder="make-run:2", seconds=15).holder == "make-run:1"
        clock.shift(timedelta(seconds=10))
        assert lease_take(name=BEAT, holder="make-run:1", seconds=15).holder == "make-run:1"
        clock.shift(timedelta(seconds=10))  # renewed: 5 s left
        assert lease_take(name=BEAT, holder="make-run:2", seconds=15).holder == "make-run:1"
        clock.shift(timedelta(seconds=5))
        assert lease_take(name=BEAT, holder="make-run:2", seconds=15).holder == "make-run:2"
        assert lease_take(name=BEAT, holder="make-run:1", seconds=15).holder == "make-run:2"
        lease_release(name=BEAT, holder="make-run:2")
        assert lease_take(name=BEAT, holder="make-run:1", seconds=15).holder == "make-run:1"
