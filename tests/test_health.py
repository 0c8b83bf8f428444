import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_without_auth(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")
    assert body["calendar"][str(timezone.localdate().year)] == "ok"


def test_healthz_is_503_when_the_broker_is_down(client, use_broker):
    # A port where nothing listens: the check must fail fast and say so, without secrets.
    use_broker("redis://:secret@127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")
    assert "secret" not in response.content.decode()


def test_a_year_the_calendar_does_not_know_is_loud(client):
    import time_machine

    # 2099: neither the statutory calendar package nor any override knows it.
    with time_machine.travel("2099-03-01 10:00 +0800", tick=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["calendar"]["2099"].startswith("error")
    assert body["calendar"]["2100"].startswith("warning")


def test_healthz_names_the_beat_and_a_lapsed_lease_is_a_warning_not_a_503(client):
    """core.beat: which beat sends the periodic tasks. No beat, or one whose lease lapsed, is
    a warning: /healthz is the web's own health (config/health.py says why)."""
    from datetime import timedelta

    import time_machine

    from core.beat import BEAT, lease_take

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["beat"] == {"state": "warning: no beat has run yet"}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        lease_take(name=BEAT, holder="beat-host:4242", seconds=15)
        beat = client.get("/healthz").json()["beat"]
        assert (beat["state"], beat["holder"]) == ("ok", "beat-host:4242")
        clock.shift(timedelta(seconds=16))
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["beat"]["holder"] == "beat-host:4242"
    assert body["beat"]["state"].startswith("warning: the lease lapsed")
