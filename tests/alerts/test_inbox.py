"""The alert inbox says what is true: a missed acknowledgment shows as missed and escalated
(to whom, when), not as the countdown of the next stage; an alert of an incident cancelled
(or closed) asks for nothing and counts nowhere, in the inbox or in the bell."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from alerts import services as alert_services
from alerts.models import AlertRecipient
from deadlines.services import deadlines_sweep
from incidents import services
from incidents.choices import CancelReason
from incidents.demo import drive
from notifications.models import Notification

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Tuesday


@pytest.fixture
def clock():
    with time_machine.travel(PUBLISHED, tick=False) as traveller:
        yield traveller


def published(make_incident, demo, **facts):
    incident = make_incident(**facts)
    services.incident_publish(incident_id=incident.pk, actor=demo["cs_contact"])
    incident.refresh_from_db()
    return incident


def inbox_row(page, incident) -> str:
    """The HTML of the inbox's row of ``incident``."""
    html = page.content.decode()
    match = re.search(rf'<tr[^>]*data-incident="{incident.number}".*?</tr>', html, re.S)
    assert match, f"no row of {incident.number}"
    return match.group(0)


def escalations(row: str) -> list[tuple[str, datetime]]:
    """Each escalation the row states: its text, and the moment its <time> gives."""
    return [
        (text, datetime.fromisoformat(moment))
        for text, moment in re.findall(
            r'<li data-testid="escalation">(.*?)<time datetime="([^"]+)"', row, re.S
        )
    ]


def full_name(user) -> str:
    return user.profile.full_name


def test_a_missed_acknowledgment_shows_missed_and_escalated_not_a_new_countdown(
    clock, make_incident, demo, client
):
    incident = published(make_incident, demo, cities=("CC",))
    client.force_login(demo["mkt_contact"])
    row = inbox_row(client.get(reverse("alerts:inbox")), incident)
    assert 'class="countdown' in row  # within the limit: the countdown of the 30 minutes

    clock.move_to(PUBLISHED + timedelta(minutes=31))
    deadlines_sweep()  # the limit is missed: the leader is told, a second limit starts
    row = inbox_row(client.get(reverse("alerts:inbox")), incident)
    assert "countdown" not in row  # not the second limit's fresh 30 minutes
    missed = re.search(r'data-testid="missed".*?<time datetime="([^"]+)"', row, re.S)
    assert missed and datetime.fromisoformat(missed.group(1)) == PUBLISHED + timedelta(minutes=30)
    [(told, at)] = escalations(row)
    assert full_name(demo["mkt_leader"]) in told  # the recipient's superior
    assert full_name(demo["mkt_contact"]) not in told  # told too, but that is no escalation
    assert at == PUBLISHED + timedelta(minutes=31)
    assert 'data-action="acknowledge"' in row  # acknowledging still stops the escalation
    # the alert's page says the same of this recipient
    detail = client.get(incident.alerts.get().get_absolute_url()).content.decode()
    line = re.search(r'<tr data-user="mkt_contact">.*?</tr>', detail, re.S).group(0)
    assert "countdown" not in line and full_name(demo["mkt_leader"]) in line

    clock.move_to(PUBLISHED + timedelta(minutes=62))
    deadlines_sweep()  # the second limit is missed: the working-group head is told
    row = inbox_row(client.get(reverse("alerts:inbox")), incident)
    assert "countdown" not in row
    (leader, _first), (head, at) = escalations(row)
    assert full_name(demo["mkt_leader"]) in leader
    assert full_name(demo["manager"]) in head and at == PUBLISHED + timedelta(minutes=62)


def test_an_acknowledgment_after_the_limit_shows_as_late(clock, make_incident, demo, client):
    incident = published(make_incident, demo, cities=("CC",))
    clock.move_to(PUBLISHED + timedelta(minutes=40))
    recipient = AlertRecipient.objects.get(incident=incident, user=demo["mkt_contact"])
    client.force_login(demo["mkt_contact"])
    client.post(reverse("alerts:acknowledge", args=[recipient.pk]))
    page = client.get(reverse("alerts:inbox"))
    row = inbox_row(page, incident)
    assert "outcome-met" in row and "outcome-breached" in row
    assert 'data-action="acknowledge"' not in row and page.context["unacknowledged"] == 0


def test_a_cancelled_incidents_alert_asks_for_nothing_and_counts_nowhere(
    clock, make_incident, demo, client
):
    cancelled = published(make_incident, demo, cities=("CC",))
    live = published(make_incident, demo, cities=("JL",), title="吉林市宽带批量掉线")
    clock.move_to(PUBLISHED + timedelta(minutes=16))
    deadlines_sweep()  # half the time gone: a reminder to acknowledge each
    contact = demo["mkt_contact"]
    client.force_login(contact)
    page = client.get(reverse("alerts:inbox"))
    assert page.context["unacknowledged"] == 2
    bell = page.context["notifications_unread"]
    cancelled_alert = cancelled.alerts.get()
    about_cancelled = Notification.objects.filter(
        recipient=contact, read_at__isnull=True, link=cancelled_alert.get_absolute_url()
    ).count()
    assert about_cancelled == 2  # the alert, and the reminder to acknowledge it

    services.incident_cancel(
        incident_id=cancelled.pk, actor=demo["cs_contact"], reason=CancelReason.SOCIAL_EVENT
    )
    page = client.get(reverse("alerts:inbox"))
    row = inbox_row(page, cancelled)
    assert 'data-action="acknowledge"' not in row
    assert 'data-testid="ended"' in row and "countdown" not in row
    assert 'data-action="acknowledge"' in inbox_row(page, live)
    assert page.context["unacknowledged"] == 1
    assert re.search(r'data-testid="unacknowledged">\s*1\s*<', page.content.decode())
    assert page.context["notifications_unread"] == bell - about_cancelled
    detail = client.get(cancelled_alert.get_absolute_url()).content.decode()
    assert 'data-action="acknowledge"' not in detail
    assert Notification.objects.filter(  # the live alert's message still counts
        recipient=contact, read_at__isnull=True, dedupe_key=f"alert:{live.alerts.get().pk}"
    ).exists()
    # the acknowledgments still wanted come first
    rows = page.context["rows"]
    assert [r.recipient.incident for r in rows] == [live, cancelled]

    # a form, an API call or an e-mailed link from before the cancellation acknowledges nothing
    recipient = AlertRecipient.objects.get(incident=cancelled, user=contact)
    refused = client.post(reverse("alerts:acknowledge", args=[recipient.pk]), follow=True)
    assert "事件已取消" in refused.content.decode()  # told why, in the person's language
    api = client.post(f"/api/v1/alerts/{cancelled_alert.pk}/acknowledge/")
    assert api.status_code == 409 and api.json()["errors"][0]["code"] == "incident_ended"
    link = client.post(urlsplit(alert_services.ack_link(recipient)).path)
    assert link.status_code == 409 and "事件已取消" in link.content.decode()
    recipient.refresh_from_db()
    assert recipient.acknowledged_at is None


def test_a_closed_incidents_unacknowledged_alert_asks_for_nothing(
    clock, make_incident, demo, client
):
    incident = published(make_incident, demo, cities=("CC",))
    drive(incident, demo, "closed")
    client.force_login(demo["mkt_contact"])  # never acknowledged
    page = client.get(reverse("alerts:inbox"))
    row = inbox_row(page, incident)
    assert 'data-action="acknowledge"' not in row and 'data-testid="ended"' in row
    assert page.context["unacknowledged"] == 0
