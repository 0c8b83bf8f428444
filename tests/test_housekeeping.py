"""Answers kept for `Idempotency-Key` retries are pruned after their retention: a retry
inside it replays the first answer, one after it is a fresh request."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import IdempotencyRecord
from core.services import idempotency_records_prune
from core.tasks import prune_idempotency_records_task
from incidents.models import Incident
from organisation.services import api_key_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def monitor(db, api_client):
    """The network-monitoring system of the demo province: an API key and nothing else."""
    from organisation.demo import seed_demo
    from organisation.models import Department

    seed_demo()

    _key, raw = api_key_create(
        name="network monitoring", department=Department.objects.get(code="NET")
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return api_client


def body():
    return {
        "title": "长春 4G 数据业务中断",
        "business_line": "network",
        "source": "business_risk",
        "cities": ["CC"],
        "customers_affected": 100,
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
    }


def post(client, data, key):
    return client.post("/api/v1/incidents/", data, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_default_retention_is_a_week(settings):
    assert timedelta(days=7) == settings.IDEMPOTENCY_RETENTION


def test_a_retry_inside_the_retention_replays_and_one_after_it_is_a_fresh_request(monitor):
    data = body()
    first = post(monitor, data, "evt-7")
    assert first.status_code == 201
    now = timezone.now()
    # six days on: the answer is kept, the retry replays it
    assert idempotency_records_prune(now=now + timedelta(days=6)) == 0
    again = post(monitor, data, "evt-7")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    # past the week: the answer is forgotten, once
    assert idempotency_records_prune(now=now + timedelta(days=7, minutes=1)) == 1
    assert idempotency_records_prune(now=now + timedelta(days=7, minutes=1)) == 0
    assert not IdempotencyRecord.objects.exists()
    fresh = post(monitor, data, "evt-7")
    assert fresh.status_code == 201
    assert fresh.json()["id"] != first.json()["id"]
    assert Incident.objects.count() == 2
    # and the fresh answer is the one a retry now gets
    replay = post(monitor, data, "evt-7")
    assert (replay.status_code, replay.json()["id"]) == (200, fresh.json()["id"])


def test_only_expired_records_go_in_batches_and_a_second_run_does_nothing(user, settings):
    settings.IDEMPOTENCY_RETENTION = timedelta(days=2)
    now = timezone.now()
    for n in range(12):
        IdempotencyRecord.objects.create(
            user=user, scope="test", key=f"old-{n}", request_hash="x", status_code=201, response={}
        )
    IdempotencyRecord.objects.update(created_at=now - timedelta(days=2, seconds=1))
    for n in range(3):
        IdempotencyRecord.objects.create(
            user=user, scope="test", key=f"new-{n}", request_hash="x", status_code=201, response={}
        )
    IdempotencyRecord.objects.filter(key__startswith="new-").update(
        created_at=now - timedelta(days=1, hours=23)
    )
    assert idempotency_records_prune(now=now, batch=5) == 12
    assert idempotency_records_prune(now=now, batch=5) == 0
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == [
        "new-0",
        "new-1",
        "new-2",
    ]


def test_the_beat_task_prunes_once(user):
    IdempotencyRecord.objects.create(
        user=user, scope="test", key="k", request_hash="x", status_code=201, response={}
    )
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert prune_idempotency_records_task.delay().get() == 1
    assert prune_idempotency_records_task.delay().get() == 0
    assert not IdempotencyRecord.objects.exists()
