"""HQ's warnings in through the signed webhook (seed 000 第八条(一)): signed, fresh, once per
HQ reference, the limits running from the time HQ sent it, the message kept as received."""

import json
import time
from datetime import datetime, timedelta

import pytest
import time_machine

from deadlines.models import Deadline
from hq.models import HqWarning
from incidents.models import Incident

from .conftest import warning

NOW = datetime.fromisoformat("2026-03-10T09:30:00+08:00")
SENT = datetime.fromisoformat("2026-03-10T09:00:00+08:00")


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_signed_warning_raises_an_hq_incident_and_keeps_the_message(demo, webhook):
    payload = warning()
    response = webhook(payload)
    assert response.status_code == 201, response.json()
    incident = Incident.objects.get()
    assert response.json()["incident"] == incident.pk
    assert incident.source == "hq" and incident.hq_level == "level1"
    assert incident.title == "全网短信业务异常"
    kept = HqWarning.objects.get()
    assert bytes(kept.raw) == json.dumps(payload, ensure_ascii=False).encode()
    assert bytes(kept.attachment) == "附件原文".encode()
    assert kept.sent_at == SENT


def test_a_replayed_reference_answers_the_existing_incident(demo, webhook):
    first = webhook(warning())
    again = webhook(warning(title="全网短信业务异常（重发）"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["incident"] == first.json()["incident"]
    assert Incident.objects.count() == 1 and HqWarning.objects.count() == 1


@pytest.mark.parametrize(
    "how",
    ["unsigned", "wrong_secret", "stale", "future", "body_changed"],
)
def test_an_unsigned_or_stale_request_is_refused(demo, webhook, how):
    payload = warning()
    if how == "unsigned":
        response = webhook(payload, signed=False)
    elif how == "wrong_secret":
        response = webhook(payload, secret="not-the-secret")
    elif how == "stale":
        response = webhook(payload, timestamp=int(time.time()) - 301)
    elif how == "future":
        response = webhook(payload, timestamp=int(time.time()) + 301)
    else:
        from django.test import Client

        from hq.signing import signature

        body = json.dumps(payload).encode()
        stamp = str(int(time.time()))
        response = Client().post(
            "/api/v1/hq/warnings/",
            data=body.replace(b"level1", b"level2"),
            content_type="application/json",
            HTTP_X_FENGHUO_TIMESTAMP=stamp,
            HTTP_X_FENGHUO_SIGNATURE=signature("hq-shared-secret", stamp, body),
        )
    assert response.status_code == 401, response.content
    assert "WWW-Authenticate" in response.headers
    assert not Incident.objects.exists()


def test_nothing_is_accepted_without_a_configured_secret(demo, webhook, settings):
    response = webhook(warning(), secret="")
    settings.HQ_WEBHOOK_SECRET = ""
    response = webhook(warning(), secret="")
    assert response.status_code == 401
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"level": "level3"}, "level"),
        ({"reference": ""}, "reference"),
        ({"sent_at": "yesterday"}, "sent_at"),
        ({"sent_at": "2026-03-10T12:00:00+08:00"}, "sent_at"),
        ({"attachment": "not base64!"}, "attachment"),
    ],
)
def test_bad_input_names_the_field(demo, webhook, overrides, field):
    response = webhook(warning(**overrides))
    assert response.status_code == 400, response.json()
    assert response.json()["errors"][0]["attr"] == field
    assert not Incident.objects.exists()


def test_limits_run_from_the_time_hq_sent_it(demo, webhook):
    """Sent 09:00, received 09:30: the relay (1 h), HQ feedback (2 h) and the level-1 plan
    (8 h) are due from 09:00 (第八条(一), 第十一条(二))."""
    webhook(warning())
    deadlines = {d.kind: d for d in Deadline.objects.all()}
    relay = deadlines["incident-report-to-cs"]
    assert relay.started_at == SENT and relay.due_at == SENT + timedelta(hours=1)
    assert relay.state == "pending"  # a person passes it on and phones
    assert deadlines["incident-hq-feedback"].due_at == SENT + timedelta(hours=2)
    assert deadlines["incident-hq-plan-level1"].due_at == SENT + timedelta(hours=8)
    assert deadlines["incident-publish"].due_at == SENT + timedelta(hours=1)
    assert "incident-hq-plan-level2" not in deadlines


def test_level2_gets_the_24_hour_plan(demo, webhook):
    webhook(warning(level="sensitive"))
    plan = Deadline.objects.get(kind="incident-hq-plan-level2")
    assert plan.due_at == SENT + timedelta(hours=24)


def test_the_incident_page_shows_the_warning_and_the_cs_centre_relays_it(demo, webhook, client):
    webhook(warning())
    incident = Incident.objects.get()
    client.force_login(demo["csc_contact"])
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "ZB-2026-0417" in page and "总部通报：全网短信下发延迟" in page
    assert "Passed on and phoned" in page or "已转报并电话通知" in page
    attachment = client.get(f"/hq/incidents/{incident.pk}/attachment/")
    assert attachment.content == "附件原文".encode()
    client.post(f"/hq/incidents/{incident.pk}/relay/", {"note": "已电话通知客户服务部"})
    relay = Deadline.objects.get(kind="incident-report-to-cs")
    assert relay.state == "met" and relay.met_at == NOW
    assert incident.timeline.filter(kind="relayed").exists()


def test_someone_outside_customer_service_cannot_relay(demo, webhook, client):
    webhook(warning())
    incident = Incident.objects.get()
    client.force_login(demo["net_contact"])
    response = client.post(f"/hq/incidents/{incident.pk}/relay/")
    assert response.status_code in (403, 404)
    assert Deadline.objects.get(kind="incident-report-to-cs").state == "pending"
