"""A process freezes what it keeps once it has served its first requests (core.memory)."""

import gc

import pytest

from core import memory


@pytest.fixture
def freezes(monkeypatch):
    """The freezes done, each with the number of objects it froze."""
    memory.reset()
    done = []
    freeze = gc.freeze

    def counted():
        freeze()
        done.append(gc.get_freeze_count())

    monkeypatch.setattr(memory.gc, "freeze", counted)
    yield done
    memory.reset()


@pytest.mark.django_db
def test_what_survived_the_first_requests_is_frozen_once(freezes, client, settings):
    settings.GC_FREEZE_AFTER_REQUESTS = 3
    client.get("/status/")
    client.get("/status/")
    assert freezes == []
    client.get("/status/")
    (frozen,) = freezes
    assert frozen > 1000  # the modules, URL patterns and templates of the process
    client.get("/status/")
    assert len(freezes) == 1


@pytest.mark.django_db
def test_none_is_frozen_when_switched_off(freezes, client, settings):
    settings.GC_FREEZE_AFTER_REQUESTS = 0
    for _ in range(5):
        client.get("/status/")
    assert freezes == [] and gc.get_freeze_count() == 0
