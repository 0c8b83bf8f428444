"""A storm's backlog of breaches is announced by several processes of the deadlines worker
together: the sweep hands the batches beyond its first to the other announcers
(``DEADLINE_ANNOUNCERS``), and each breach is still announced once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from accountability.models import Violation
from deadlines.models import Deadline
from deadlines.services import SWEEP_BATCH
from deadlines.tasks import sweep_deadlines_task
from notifications.models import Notification

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 18, 10, 0, tzinfo=SH)  # a week whose working days are known
STORM = SWEEP_BATCH + 50  # more than one batch: worth sharing


@pytest.fixture
def backlog(make_incident):
    """``STORM`` explanation limits of one incident (rounds of the step done again), all
    overdue by the time the test sweeps (with a few of the incident's other limits)."""
    with time_machine.travel(START, tick=False):
        first = make_incident().deadlines.get(kind="incident-explanation")
        Deadline.objects.bulk_create(
            Deadline(
                content_type_id=first.content_type_id,
                object_id=first.object_id,
                kind=first.kind,
                round=round,
                policy_id=first.policy_id,
                policy_version_id=first.policy_version_id,
                started_at=first.started_at,
                due_at=first.due_at,
                reminders=[],
                responsible_department_id=first.responsible_department_id,
                responsible_person_id=first.responsible_person_id,
            )
            for round in range(1, STORM)
        )
    return Deadline.objects.filter(object_id=first.object_id, kind=first.kind)


def announced_once(backlog) -> None:
    breached = list(backlog.values_list("pk", flat=True))
    assert len(breached) == STORM
    assert not backlog.exclude(state="breached").exists()
    assert not backlog.filter(announced_at__isnull=True).exists()
    for pk in breached:  # the person and their superior told once, one violation
        assert Notification.objects.filter(dedupe_key=f"deadline:{pk}:breached").count() == 2
    assert Violation.objects.filter(deadline__in=breached).count() == STORM


@override_settings(DEADLINE_ANNOUNCERS=2)
def test_the_sweep_hands_a_backlog_to_another_announcer(backlog):
    with time_machine.travel(START + timedelta(days=2), tick=False):
        done = sweep_deadlines_task()
    # the tasks run at once here (eager): the other announcer, sent before the sweep
    # announced anything, took every batch, and the sweep found none left
    assert done["breached"] >= STORM and done["announced"] == 0
    announced_once(backlog)


@override_settings(DEADLINE_ANNOUNCERS=1)
def test_a_single_announcer_announces_the_backlog_itself(backlog):
    with time_machine.travel(START + timedelta(days=2), tick=False):
        done = sweep_deadlines_task()
    assert done["announced"] == done["breached"] >= STORM
    announced_once(backlog)
